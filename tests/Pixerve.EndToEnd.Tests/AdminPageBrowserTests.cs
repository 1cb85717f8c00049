using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using SkiaSharp;
using Pixerve.Testing;
using Pixerve.Testing.Fixtures;

namespace Pixerve.EndToEnd.Tests;

/// <summary>The jobs page and its job view as an operator sees them: a real headless Chromium signs in with Basic credentials.</summary>
[Collection(PixerveCollection.Name)]
public sealed class AdminPageBrowserTests(PixerveFixture fixture)
{
    private static object Job(string subDir) => new { formats = new { jpg = new { sizes = new[] { new[] { 96 } } } }, directHost = true, subDir };

    /// <summary>A page's address with the admin token as the Basic password; the browser keeps it for the page's fetches.</summary>
    private string PageUrl(string path = "/admin")
    {
        var page = new UriBuilder(new Uri(fixture.Http.BaseAddress!, path)) { UserName = "ops", Password = PixerveFixture.AdminToken };
        return page.Uri.AbsoluteUri;
    }

    private string AnonymousUrl(string path) => new Uri(fixture.Http.BaseAddress!, path).AbsoluteUri;

    /// <summary>How the pages shorten a hash or a job id: its first 8 and last 4 characters.</summary>
    private static string Short(string value) => $"{value[..8]}…{value[^4..]}";

    private static async Task<string> DomAsync(string url) => WebUtility.HtmlDecode(await HeadlessChromium.DumpDomAsync(url));

    [Fact]
    public async Task Jobs_page_shows_a_completed_job_and_a_failure_with_its_error_and_only_with_credentials()
    {
        var token = fixture.Token(Job("browser"));
        var completed = await fixture.UploadAsync("orient-6.jpg", token);
        Assert.Equal("completed", (await fixture.WaitUntilFinalAsync(completed, token)).GetProperty("status").GetString());
        var failed = await fixture.UploadAsync("hostile/truncated.jpg", token);
        var failure = await fixture.WaitUntilFinalAsync(failed, token);
        Assert.Equal("failed", failure.GetProperty("status").GetString());
        var error = failure.GetProperty("error").GetString()!;
        Assert.False(string.IsNullOrWhiteSpace(error));
        // A failure whose error has no space to break at for well over the card's width: a credential key and a file name.
        var (longFailure, longJobId, longError, unmounted) = await LongErrorFailureAsync();
        Directory.Delete(unmounted, recursive: true);

        var dom = await DomAsync(PageUrl());
        Assert.Contains(Short(completed), dom);
        Assert.Contains(error, dom);
        Assert.Contains(longError, dom);
        // The last refresh succeeded: the status line says when, rather than "refresh failed: …".
        Assert.Matches(@"id=""status"" class=""status"">updated ", dom);

        // The failure's row: the hash and the job id shortened with the whole value on hover and on the copy button,
        // the job id a link to its job view; the whole hash is never the text of the row.
        var failures = Section(dom, @"id=""failures""");
        foreach (var (hash, jobId) in new[] { (failed, failure.GetProperty("job_id").GetString()!), (longFailure, longJobId) })
        {
            Assert.Contains($@"title=""{hash}"">{Short(hash)}</span>", failures);
            Assert.Contains($@"data-copy=""{hash}""", failures);
            Assert.Contains($@"<a class=""id"" href=""/admin/jobs/{jobId}"" title=""{jobId}"">{Short(jobId)}</a>", failures);
            Assert.DoesNotContain($">{hash}<", failures);
        }

        // Kept beside the test binaries, to look at when the page changes.
        using var image = await ScreenshotAsync(PageUrl(), "admin-page.png");
        AssertNothingRedRightOfTheCards(image, "the jobs page");

        // The same browser without credentials gets the 401, not the page.
        var anonymous = await HeadlessChromium.DumpDomAsync(AnonymousUrl("/admin"));
        Assert.DoesNotContain("Recent failures", anonymous);
        Assert.DoesNotContain(completed, anonymous);
    }

    [Fact]
    public async Task A_job_link_opens_its_job_view_with_attempts_source_outputs_webhook_and_retry_only_when_failed()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        var token = fixture.Token(new
        {
            formats = new { jpg = new { sizes = new[] { new[] { 96 } } }, webp = new { sizes = new[] { new[] { 64 } } } },
            keepOriginal = true, directHost = true, subDir = $"job-view/{Guid.NewGuid():N}", completionCallback = receiver.Url,
        });
        using var upload = await fixture.Http.SendAsync(PixerveFixture.UploadBytes(UniqueBytes.Jpeg("va.jpg"), "va.jpg", token));
        await HttpAssert.AssertOk(upload);
        var hash = (await upload.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("hash").GetString()!;
        var jobId = (await fixture.WaitUntilFinalAsync(hash, token)).GetProperty("job_id").GetString()!;
        var job = await WaitForWebhookAsync(jobId);
        Assert.Equal("completed", job.GetProperty("status").GetString());

        // The jobs page links the job to its view; the view is that link opened.
        var list = await DomAsync(PageUrl());
        var link = Regex.Match(Section(list, @"id=""jobs"""), $@"<a class=""id"" href=""(/admin/jobs/{jobId})""").Groups[1].Value;
        Assert.Equal($"/admin/jobs/{jobId}", link);
        var view = await DomAsync(PageUrl(link));
        Assert.Contains(@"<body data-state=""ready"">", view);
        Assert.Contains($@"title=""{jobId}"">{Short(jobId)}</span>", view);
        Assert.Contains($@"title=""{hash}"">{Short(hash)}</span>", view);

        AssertAttempts(view, job);
        var source = job.GetProperty("source");
        var facts = Section(view, @"id=""source""");
        Assert.Contains($"<dd>{source.GetProperty("format").GetString()}</dd>", facts);
        Assert.Contains($"<dd>{source.GetProperty("width").GetInt32()}×{source.GetProperty("height").GetInt32()}</dd>", facts);
        Assert.Contains("<dd>1 (still)</dd>", facts);
        Assert.Contains(source.GetProperty("dominant_color").GetString()!, facts);
        // The ThumbHash drawn as an image in the page, and every output served by the gateway shown as one, all loaded.
        Assert.Matches(@"<img [^>]*id=""thumbhash"" src=""data:image/png;base64,[^""]+"" data-loaded=""yes"">", facts);
        var outputs = job.GetProperty("outputs").EnumerateArray().ToList();
        Assert.Equal(3, outputs.Count);
        var tiles = Section(view, @"id=""outputs""");
        foreach (var output in outputs)
        {
            Assert.Contains($"{output.GetProperty("format").GetString()} · {output.GetProperty("width").GetInt32()}×" +
                            $"{output.GetProperty("height").GetInt32()} · {output.GetProperty("bytes").GetInt64()} bytes", tiles);
            var served = output.GetProperty("locations").EnumerateArray().Single(l => l.GetProperty("backend").GetString() == "direct")
                .GetProperty("location").GetString()!;
            Assert.Matches($@"<img [^>]*src=""{Regex.Escape(served)}"" data-loaded=""yes"">", tiles);
        }

        Assert.DoesNotContain(@"data-loaded=""no""", view);
        Assert.Contains(@"<span class=""badge delivered"">delivered</span>", Section(view, @"id=""webhook"""));
        Assert.DoesNotContain(@"id=""retry""", view);
        using (var image = await ScreenshotAsync(PageUrl(link), "job-view-completed.png"))
            AssertNothingRedRightOfTheCards(image, "the completed job's view");

        // A failed job's view: its error, inside its card, and the Retry button.
        var (_, failedJobId, longError, unmounted) = await LongErrorFailureAsync();
        var failedJob = await fixture.GetJsonAsync($"/status?job_id={failedJobId}", PixerveFixture.AdminToken);
        var failedView = await DomAsync(PageUrl($"/admin/jobs/{failedJobId}"));
        Assert.Contains(@"<body data-state=""ready"">", failedView);
        Assert.Contains(@"<button class=""retry"" type=""button"" id=""retry"">Retry</button>", failedView);
        Assert.Contains(longError, Section(failedView, @"id=""job-error"""));
        AssertAttempts(failedView, failedJob);
        // Outputs on no /files/ location show as format tiles, one per such output.
        var unserved = failedJob.GetProperty("outputs").EnumerateArray()
            .Count(o => !o.GetProperty("locations").EnumerateArray().Any(l => l.GetProperty("location").GetString()!.StartsWith("/files/")));
        Assert.Equal(unserved, Regex.Matches(failedView, @"class=""tile""").Count);
        using (var image = await ScreenshotAsync(PageUrl($"/admin/jobs/{failedJobId}"), "job-view-failed.png"))
            AssertNothingRedRightOfTheCards(image, "the failed job's view");

        // What the Retry button sends (a Basic-signed POST from this origin) is taken; the same from another site is not.
        using (var crossSite = RetryRequest(failedJobId, "cross-site"))
        using (var refused = await fixture.Http.SendAsync(crossSite))
            await HttpAssert.AssertProblem(refused, HttpStatusCode.Forbidden);
        using (var sameOrigin = RetryRequest(failedJobId, "same-origin"))
        using (var retried = await fixture.Http.SendAsync(sameOrigin))
        {
            await HttpAssert.AssertOk(retried);
            Assert.Equal(1, (await retried.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("retries").GetInt32());
        }

        // The retry fails as the first run did; its directory goes once nothing writes there any more.
        await Poll.UntilAsync(async () => (await fixture.GetJsonAsync($"/status?job_id={failedJobId}", PixerveFixture.AdminToken))
            .GetProperty("status").GetString() == "failed", TimeSpan.FromSeconds(30), "the retried job to fail again");
        Directory.Delete(unmounted, recursive: true);

        // Without credentials the browser gets the 401, never the view.
        var anonymous = await HeadlessChromium.DumpDomAsync(AnonymousUrl(link));
        Assert.DoesNotContain("Attempts", anonymous);
        Assert.DoesNotContain("<script", anonymous);
        using var none = await fixture.Http.GetAsync(link);
        await HttpAssert.AssertProblem(none, HttpStatusCode.Unauthorized);
        Assert.Equal("Basic", Assert.Single(none.Headers.WwwAuthenticate).Scheme);
    }

    /// <summary>
    /// A job that fails storing on a <c>direct</c> credential whose directory can never be made (a file stands where
    /// it should be), under a 60-character key: the error names the key and the output's file name, neither with a
    /// space to break at. Its hash, job id and error, and the directory that holds the file (the caller deletes it).
    /// </summary>
    private async Task<(string Hash, string JobId, string Error, string Root)> LongErrorFailureAsync()
    {
        var root = Directory.CreateTempSubdirectory("pixerve-unmounted-").FullName;
        await File.WriteAllTextAsync(Path.Combine(root, "not-mounted"), "");
        var key = $"unmounted-disk-of-the-browser-test-{Guid.NewGuid():N}"[..60];
        using (var put = await fixture.Http.SendAsync(fixture.Admin(HttpMethod.Post, "/admin/credentials",
                   new { key, type = "direct", data = new { path = Path.Combine(root, "not-mounted", "mount-point") } })))
            await HttpAssert.AssertOk(put);

        var token = fixture.Token(new
        {
            formats = new { jpg = new { sizes = new[] { new[] { 64 } } } }, subDir = "long-error", storageKeys = new { direct = key },
        });
        using var upload = await fixture.Http.SendAsync(PixerveFixture.UploadBytes(UniqueBytes.Jpeg("va.jpg"), "a-rather-long-file-name-for-the-page.jpg", token));
        await HttpAssert.AssertOk(upload);
        var hash = (await upload.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("hash").GetString()!;
        var status = await fixture.WaitUntilFinalAsync(hash, token);
        Assert.Equal("failed", status.GetProperty("status").GetString());
        var error = status.GetProperty("error").GetString()!;
        Assert.Contains(key, error);
        return (hash, status.GetProperty("job_id").GetString()!, error, root);
    }

    private async Task<JsonElement> WaitForWebhookAsync(string jobId)
    {
        JsonElement job = default;
        await Poll.UntilAsync(async () =>
        {
            job = await fixture.GetJsonAsync($"/status?job_id={jobId}", PixerveFixture.AdminToken);
            return job.GetProperty("webhook") is { ValueKind: JsonValueKind.Object } hook && hook.GetProperty("status").GetString() == "delivered";
        }, TimeSpan.FromSeconds(30), "the job's webhook to be delivered");
        return job;
    }

    /// <summary>One row per attempt of the job's history, each with its number and outcome.</summary>
    private static void AssertAttempts(string view, JsonElement job)
    {
        var history = job.GetProperty("history").EnumerateArray().ToList();
        Assert.NotEmpty(history);
        var rows = Section(view, @"id=""history""");
        Assert.Equal(history.Count, Regex.Matches(rows, @"<tr class=""attempt"">").Count);
        foreach (var attempt in history)
        {
            var outcome = attempt.GetProperty("outcome").GetString();
            Assert.Contains($@"<tr class=""attempt""><td class=""num"">{attempt.GetProperty("attempt").GetInt32()}</td>" +
                            $@"<td><span class=""badge {outcome}"">{outcome}</span></td>", rows);
        }
    }

    private HttpRequestMessage RetryRequest(string jobId, string fetchSite)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, $"/admin/jobs/{jobId}/retry");
        request.Headers.Authorization = new AuthenticationHeaderValue("Basic",
            Convert.ToBase64String(Encoding.UTF8.GetBytes($"ops:{PixerveFixture.AdminToken}")));
        request.Headers.Add("Sec-Fetch-Site", fetchSite);
        return request;
    }

    /// <summary>The DOM from the element with <paramref name="marker"/> to the end of that element's kind of block.</summary>
    private static string Section(string dom, string marker)
    {
        var start = dom.IndexOf(marker, StringComparison.Ordinal);
        Assert.True(start >= 0, $"the page has no {marker}");
        var end = dom.IndexOf("</section>", start, StringComparison.Ordinal);
        return dom[start..(end < 0 ? dom.Length : end)];
    }

    /// <summary>A 1280 × 900 screenshot written beside the test binaries (to look at when a page changes), checked not blank.</summary>
    private static async Task<SKBitmap> ScreenshotAsync(string url, string name)
    {
        var screenshot = Path.Combine(AppContext.BaseDirectory, name);
        File.Delete(screenshot);
        await HeadlessChromium.ScreenshotAsync(url, screenshot);
        var image = SKBitmap.Decode(screenshot);
        Assert.NotNull(image);
        Assert.Equal((1280, 900), (image.Width, image.Height));
        var colours = new HashSet<SKColor>();
        for (var y = 0; y < image.Height; y += 3)
        for (var x = 0; x < image.Width; x += 3)
            colours.Add(image.GetPixel(x, y));
        Assert.True(colours.Count > 16, $"{name} has only {colours.Count} colours: a blank or error page?");
        return image;
    }

    /// <summary>
    /// Every card ends 24 px (the page's padding) before the right edge of a 1280 px window: an error in red that ran
    /// past its card would show there. The header (dark, above 70 px) is left out.
    /// </summary>
    private static void AssertNothingRedRightOfTheCards(SKBitmap image, string what)
    {
        var red = 0;
        for (var y = 70; y < image.Height; y++)
        for (var x = image.Width - 23; x < image.Width; x++)
        {
            var c = image.GetPixel(x, y);
            if (c.Red > 150 && c.Red - c.Green > 50 && c.Red - c.Blue > 50) red++;
        }

        Assert.True(red == 0, $"{what}: {red} red pixels right of the cards, where an error ran past its card's edge");
    }
}
