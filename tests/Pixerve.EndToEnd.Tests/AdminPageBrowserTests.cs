using System.Net;
using SkiaSharp;
using Pixerve.Testing.Fixtures;

namespace Pixerve.EndToEnd.Tests;

/// <summary>The jobs page as an operator sees it: a real headless Chromium signs in with Basic credentials.</summary>
[Collection(PixerveCollection.Name)]
public sealed class AdminPageBrowserTests(PixerveFixture fixture)
{
    private static object Job(string subDir) => new { formats = new { jpg = new { sizes = new[] { new[] { 96 } } } }, directHost = true, subDir };

    /// <summary>The page's address with the admin token as the Basic password; the browser keeps it for the page's fetches.</summary>
    private string PageUrl()
    {
        var page = new UriBuilder(new Uri(fixture.Http.BaseAddress!, "/admin")) { UserName = "ops", Password = PixerveFixture.AdminToken };
        return page.Uri.AbsoluteUri;
    }

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

        var dom = WebUtility.HtmlDecode(await HeadlessChromium.DumpDomAsync(PageUrl()));
        Assert.Contains(completed, dom);
        Assert.Contains(failed, dom);
        Assert.Contains(error, dom);
        // The last refresh succeeded: the status line says when, rather than "refresh failed: …".
        Assert.Matches(@"id=""status"" class=""status"">updated ", dom);

        // Kept beside the test binaries, to look at when the page changes.
        var screenshot = Path.Combine(AppContext.BaseDirectory, "admin-page.png");
        File.Delete(screenshot);
        await HeadlessChromium.ScreenshotAsync(PageUrl(), screenshot);
        using var image = SKBitmap.Decode(screenshot);
        Assert.NotNull(image);
        Assert.Equal((1280, 900), (image.Width, image.Height));
        var colours = new HashSet<SKColor>();
        for (var y = 0; y < image.Height; y += 3)
        for (var x = 0; x < image.Width; x += 3)
            colours.Add(image.GetPixel(x, y));
        Assert.True(colours.Count > 16, $"the screenshot has only {colours.Count} colours: a blank or error page?");

        // The same browser without credentials gets the 401, not the page.
        var anonymous = await HeadlessChromium.DumpDomAsync(new Uri(fixture.Http.BaseAddress!, "/admin").AbsoluteUri);
        Assert.DoesNotContain("Recent failures", anonymous);
        Assert.DoesNotContain(completed, anonymous);
    }
}
