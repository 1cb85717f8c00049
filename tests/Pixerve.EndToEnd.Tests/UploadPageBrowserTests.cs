using System.Net.Http.Headers;
using System.Text.Json;
using PuppeteerSharp;
using Pixerve.Testing;
using Pixerve.Testing.Fixtures;

namespace Pixerve.EndToEnd.Tests;

/// <summary>
/// The upload page in a real Chromium against the real gateway, silo and Azurite: photos go over tus, each job's
/// conversion arrives from /events (placeholder, each output), and the outputs load from /files at their real sizes;
/// the same bundle from another origin through CORS, and refused without it.
/// </summary>
[Collection(PixerveCollection.Name)]
public sealed class UploadPageBrowserTests(PixerveFixture fixture) : IAsyncLifetime
{
    /// <summary>run.sh's demo job: jpg and webp at 1600 and 400 px, served from /files.</summary>
    private static object Job(string subDir) => new
    {
        formats = new
        {
            jpg = new { settings = new { quality = 80 }, sizes = new[] { new[] { 1600, 1600 }, new[] { 400 } } },
            webp = new { sizes = new[] { new[] { 1600, 1600 }, new[] { 400 } } },
        },
        directHost = true,
        subDir,
    };

    /// <summary>
    /// The demo job and an AVIF last: its encoding takes a second or more, so the page is caught with the first
    /// outputs done and the last one still coming (the others take milliseconds each once the source is decoded).
    /// </summary>
    private static object SlowJob(string subDir) => new
    {
        formats = new
        {
            jpg = new { settings = new { quality = 80 }, sizes = new[] { new[] { 1600, 1600 }, new[] { 400 } } },
            webp = new { sizes = new[] { new[] { 1600, 1600 }, new[] { 400 } } },
            avif = new { sizes = new[] { new[] { 1600, 1600 } } },
        },
        directHost = true,
        subDir,
    };

    private static readonly TimeSpan Deadline = TimeSpan.FromMinutes(2);
    private static readonly JsonSerializerOptions Json = new() { PropertyNameCaseInsensitive = true };

    /// <summary>The page's cards as the DOM shows them: what each job's data-* attributes and images say.</summary>
    private const string ReadCards = """
        () => JSON.stringify([...document.querySelectorAll('.pxu-card')].map(c => ({
          name: c.querySelector('.pxu-name').textContent,
          status: c.dataset.status,
          uploadPercent: Number(c.dataset.uploadPercent ?? 0),
          hash: c.dataset.hash ?? null,
          jobId: c.dataset.jobId ?? null,
          placeholder: c.querySelector('.pxu-placeholder:not([hidden])')?.src ?? null,
          steps: c.dataset.steps ?? '',
          events: c.dataset.events ?? '',
          error: c.dataset.error ?? null,
          outputs: [...c.querySelectorAll('.pxu-output')].map(o => {
            const img = o.querySelector('img');
            return { name: o.dataset.name, state: o.dataset.state, format: o.dataset.format ?? null,
                     width: Number(o.dataset.width ?? 0), height: Number(o.dataset.height ?? 0), bytes: Number(o.dataset.bytes ?? 0),
                     src: img?.getAttribute('src') ?? null, naturalWidth: img?.naturalWidth ?? 0, naturalHeight: img?.naturalHeight ?? 0 };
          }),
        })))
        """;

    private readonly DirectoryInfo _profile = Directory.CreateTempSubdirectory("pixerve-puppeteer-");
    private readonly DirectoryInfo _photos = Directory.CreateTempSubdirectory("pixerve-photos-");
    private IBrowser _browser = null!;

    public async Task InitializeAsync() => _browser = await Chromium.LaunchAsync(_profile.FullName);

    public async Task DisposeAsync()
    {
        await _browser.DisposeAsync();
        foreach (var folder in new[] { _profile, _photos })
        {
            try
            {
                folder.Delete(recursive: true);
            }
            catch (IOException)
            {
                // A helper process of the browser may hold a file a moment longer; temp is cleaned eventually.
            }
        }
    }

    [Fact]
    public async Task The_page_uploads_photos_over_tus_and_shows_each_conversion_step_and_the_outputs_at_their_real_sizes()
    {
        var token = fixture.Token(SlowJob("upload-page"));
        var (gateway, http) = await fixture.StartGatewayAsync("--Pixerve:Gateway:UploadPage=true", $"--Pixerve:Gateway:UploadPageDemoToken={token}");
        await using var served = gateway;
        using var client = http;
        await using var context = await _browser.CreateBrowserContextAsync();
        var (page, problems) = await OpenAsync(context, new Uri(http.BaseAddress!, "/").AbsoluteUri);

        // The demo token is in the field, and the page read its job claim.
        Assert.Equal(token, await page.EvaluateExpressionAsync<string>("document.querySelector('.pxu-token-input').value"));
        Assert.Contains("served from /files/upload-page/", await page.EvaluateExpressionAsync<string>("document.querySelector('.pxu-token-info').textContent"));

        // 16 MB in 5 MB chunks (four PATCHes), and an everyday photo; one conversion at a time, so the second waits.
        var photos = new[] { Photo("photo-18mp-sony.jpg", "harbour.jpg"), Photo("photo-1920x1280-canon.jpg", "meadow.jpg") };
        var input = await page.WaitForSelectorAsync("input.uppy-Dashboard-input[name='files[]']");
        await input.UploadFileAsync(photos);

        var cards = await WaitForCardsAsync(page, c => c.Count == 2 && c.All(card => card.UploadPercent == 100 && card.JobId is not null),
            "both uploads at 100 % with their jobs");

        // Mid-conversion: the big photo's ThumbHash placeholder is drawn as soon as its source is described, before
        // its outputs are done (an 18 MP source takes seconds to make four outputs of).
        cards = await WaitForCardsAsync(page, c => c.Any(card => card.Name == "harbour.jpg" && card.Placeholder is not null && card.Steps.Length > 0),
            "the big photo's ThumbHash placeholder and its first output");
        var converting = cards.Single(card => card.Name == "harbour.jpg");
        Assert.StartsWith("data:image/png;base64,", converting.Placeholder);
        var midway = Path.Combine(AppContext.BaseDirectory, "upload-page-converting.png");
        await page.ScreenshotAsync(midway);
        var afterShot = (await CardsAsync(page)).Single(card => card.Name == "harbour.jpg");
        Assert.True(converting.Status == "processing" && afterShot.Status == "processing",
            $"the placeholder came with the job {converting.Status} and it was {afterShot.Status} after the screenshot: not mid-conversion");

        cards = await WaitForCardsAsync(page, c => c.All(card => card.Status == "completed" && card.Outputs.All(o => o.State == "loaded")),
            "both jobs completed with every output loaded");
        foreach (var card in cards)
        {
            // Every output_done step in plan order after the source, then the final state.
            Assert.Equal("1/5 2/5 3/5 4/5 5/5", card.Steps);
            Assert.Matches(@"^((pending|processing) )*source( output_done){5} completed$", card.Events);
            var status = await StatusAsync(http, token, card.JobId!);
            var outputs = status.GetProperty("outputs").EnumerateArray().ToList();
            Assert.Equal(outputs.Select(o => o.GetProperty("name").GetString()), card.Outputs.Select(o => o.Name));
            foreach (var (shown, output) in card.Outputs.Zip(outputs))
            {
                // The size the job reports, the size the browser decoded from /files, and the bytes stored.
                Assert.Equal((output.GetProperty("width").GetInt32(), output.GetProperty("height").GetInt32()), (shown.Width, shown.Height));
                Assert.Equal((shown.Width, shown.Height), (shown.NaturalWidth, shown.NaturalHeight));
                Assert.Equal(output.GetProperty("bytes").GetInt64(), shown.Bytes);
                Assert.Equal($"/files/upload-page/{shown.Name}", shown.Src);
            }
        }

        var harbour = cards.Single(c => c.Name == "harbour.jpg");
        Assert.Equal((1600, 900), (harbour.Outputs[0].NaturalWidth, harbour.Outputs[0].NaturalHeight));
        var done = Path.Combine(AppContext.BaseDirectory, "upload-page-done.png");
        // Let the finished previews fade in before the picture.
        await page.WaitForFunctionAsync("() => [...document.querySelectorAll('.pxu-final')].every(i => i.complete && getComputedStyle(i).opacity === '1')");
        await page.ScreenshotAsync(done);
        Assert.Empty(problems);
        KeepForDocs(midway, done);
    }

    [Fact]
    public async Task The_example_page_on_another_origin_uploads_through_cors_with_the_gateways_bundle()
    {
        await using var site = await StaticSite.StartAsync(Path.Combine(RepositoryPaths.Root, "examples", "browser"));
        var (gateway, http) = await fixture.StartGatewayAsync("--Pixerve:Gateway:UploadPage=true", $"--Pixerve:Cors:AllowedOrigins:0={site.Origin}");
        await using var served = gateway;
        using var client = http;
        var gatewayOrigin = http.BaseAddress!.GetLeftPart(UriPartial.Authority);
        Assert.NotEqual(site.Origin, gatewayOrigin);
        var token = fixture.Token(Job("example"));
        await using var context = await _browser.CreateBrowserContextAsync();
        var (page, problems) = await OpenAsync(context, ExampleUrl(site, gatewayOrigin, token));
        await page.WaitForSelectorAsync("#connection[data-state='ready']");

        var input = await page.WaitForSelectorAsync("input.uppy-Dashboard-input[name='files[]']");
        await input.UploadFileAsync(Photo("va.jpg", "lake.jpg"));
        var card = (await WaitForCardsAsync(page, c => c.Count == 1 && c[0].Status == "completed" && c[0].Outputs.All(o => o.State != "done"),
            "the example's job to finish"))[0];
        Assert.Equal(100, card.UploadPercent);
        Assert.StartsWith("data:image/png;base64,", card.Placeholder);
        Assert.Equal("1/4 2/4 3/4 4/4", card.Steps);
        Assert.Matches(@"^((pending|processing) )*source( output_done){4} completed$", card.Events);
        // The job named by the answer's Pixerve-* headers (exposed through CORS) is the one the gateway has.
        var status = await StatusAsync(http, token, card.JobId!);
        Assert.Equal(card.Hash, status.GetProperty("hash").GetString());
        foreach (var output in card.Outputs)
        {
            Assert.Equal("loaded", output.State);
            Assert.Equal($"{gatewayOrigin}/files/example/{output.Name}", output.Src);
            Assert.Equal((output.Width, output.Height), (output.NaturalWidth, output.NaturalHeight));
        }

        Assert.Equal((1600, 900), (card.Outputs[0].NaturalWidth, card.Outputs[0].NaturalHeight));
        Assert.Empty(problems);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("http://127.0.0.1:9")]
    public async Task The_example_page_on_an_origin_the_gateway_does_not_allow_cannot_upload(string? allowed)
    {
        await using var site = await StaticSite.StartAsync(Path.Combine(RepositoryPaths.Root, "examples", "browser"));
        var settings = new List<string> { "--Pixerve:Gateway:UploadPage=true" };
        if (allowed is not null) settings.Add($"--Pixerve:Cors:AllowedOrigins:0={allowed}");
        var (gateway, http) = await fixture.StartGatewayAsync([.. settings]);
        await using var served = gateway;
        using var client = http;
        var before = await fixture.Staging.ListAsync(CancellationToken.None);
        await using var context = await _browser.CreateBrowserContextAsync();
        var (page, ignored) = await OpenAsync(context, ExampleUrl(site, http.BaseAddress!.GetLeftPart(UriPartial.Authority), fixture.Token(Job("refused"))));
        // The bundle itself loads (a script needs no CORS); the gateway's answers are what the browser withholds.
        await page.WaitForSelectorAsync("#connection[data-state='ready']");

        var input = await page.WaitForSelectorAsync("input.uppy-Dashboard-input[name='files[]']");
        await input.UploadFileAsync(Photo("vb.jpg", "refused.jpg"));
        var card = (await WaitForCardsAsync(page, c => c.Count == 1 && c[0].Status is "error" or "completed", "the upload to fail", failureExpected: true))[0];
        Assert.Equal("error", card.Status);
        Assert.Contains("could not be reached", card.Error);
        Assert.Null(card.JobId);
        // The browser stopped at the preflight: nothing reached staging.
        await fixture.AssertNothingNewStagedAsync(before);
    }

    private string Photo(string image, string name)
    {
        var path = Path.Combine(_photos.FullName, name);
        File.WriteAllBytes(path, UniqueBytes.Jpeg(image));
        return path;
    }

    private static string ExampleUrl(StaticSite site, string gateway, string token) =>
        $"{site.Origin}/?gateway={Uri.EscapeDataString(gateway)}&token={Uri.EscapeDataString(token)}";

    /// <summary>Opens the page, collecting what should never happen: uncaught errors and CSP violations.</summary>
    private static async Task<(IPage Page, List<string> Problems)> OpenAsync(IBrowserContext context, string url)
    {
        var page = await context.NewPageAsync();
        var problems = new List<string>();
        page.PageError += (_, e) => problems.Add($"page error: {e.Message}");
        page.Console += (_, e) =>
        {
            if (e.Message.Text.Contains("Content Security Policy", StringComparison.Ordinal)) problems.Add($"console: {e.Message.Text}");
        };
        await page.EvaluateExpressionOnNewDocumentAsync(
            "document.addEventListener('securitypolicyviolation', e => console.error('Content Security Policy: ' + e.violatedDirective + ' ' + e.blockedURI))");
        var response = await page.GoToAsync(url, WaitUntilNavigation.Load);
        Assert.True(response.Ok, $"{url}: {response.Status}");
        await page.WaitForSelectorAsync(".pxu-dashboard .uppy-Dashboard");
        return (page, problems);
    }

    private static async Task<List<Card>> CardsAsync(IPage page) =>
        JsonSerializer.Deserialize<List<Card>>(await page.EvaluateFunctionAsync<string>(ReadCards), Json)!;

    /// <summary>Polls the page's cards until <paramref name="condition"/>; a card that failed ends the wait at once unless it may.</summary>
    private static async Task<List<Card>> WaitForCardsAsync(IPage page, Func<List<Card>, bool> condition, string what, bool failureExpected = false)
    {
        List<Card> cards = [];
        try
        {
            await Poll.UntilAsync(async () =>
            {
                cards = await CardsAsync(page);
                if (!failureExpected && cards.FirstOrDefault(c => c.Status is "error" or "failed") is { } failed)
                    Assert.Fail($"waiting for {what}, {failed.Name} ended {failed.Status}: {failed.Error}");
                return condition(cards);
            }, Deadline, what);
        }
        catch (TimeoutException e)
        {
            throw new TimeoutException($"{e.Message}; the page shows {JsonSerializer.Serialize(cards)}", e);
        }

        return cards;
    }

    private static async Task<JsonElement> StatusAsync(HttpClient http, string token, string jobId)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/status?job_id={jobId}");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        using var response = await http.SendAsync(request);
        await HttpAssert.AssertOk(response);
        return JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone();
    }

    /// <summary>
    /// The screenshots stay beside the test binaries; with <c>PIXERVE_UPDATE_SCREENSHOTS=1</c> they replace the ones in
    /// docs/images that the README and docs/operations.md show.
    /// </summary>
    private static void KeepForDocs(params string[] screenshots)
    {
        if (Environment.GetEnvironmentVariable("PIXERVE_UPDATE_SCREENSHOTS") != "1") return;
        var images = Path.Combine(RepositoryPaths.Root, "docs", "images");
        Directory.CreateDirectory(images);
        foreach (var screenshot in screenshots) File.Copy(screenshot, Path.Combine(images, Path.GetFileName(screenshot)), overwrite: true);
    }

    private sealed record Card(string Name, string Status, int UploadPercent, string? Hash, string? JobId, string? Placeholder, string Steps,
        string Events, string? Error, List<Output> Outputs);

    private sealed record Output(string Name, string State, string? Format, int Width, int Height, long Bytes, string? Src, int NaturalWidth,
        int NaturalHeight);
}
