using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text.RegularExpressions;
using Pixerve.Gateway.Apis;
using Pixerve.Testing;
using Pixerve.Testing.Fixtures;

namespace Pixerve.Gateway.Tests;

/// <summary>
/// The upload page as HTTP: off by default, and when on, a page that runs only the gateway's own script under a strict
/// CSP, its bundle with the right types, versioned immutable URLs, ETags and compression. The browser tests
/// (Pixerve.EndToEnd.Tests) upload through it.
/// </summary>
[Collection(PixerveCollection.Name)]
public sealed partial class UploadPageTests(PixerveFixture fixture)
{
    private static readonly object Job = new { formats = new { jpg = new { sizes = new[] { new[] { 64 } } } }, directHost = true, subDir = "page" };

    [Theory]
    [InlineData("/")]
    [InlineData("/upload-page/upload.js")]
    [InlineData("/upload-page/upload.css")]
    public async Task Off_by_default_the_page_and_its_bundle_are_404_problems(string path)
    {
        // The answer of any path the gateway does not serve: a problem without a detail.
        using var response = await fixture.Http.GetAsync(path);
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task On_the_page_carries_the_demo_token_a_strict_csp_and_no_store()
    {
        var token = fixture.Token(Job);
        var (gateway, http) = await fixture.StartGatewayAsync("--Pixerve:Gateway:UploadPage=true", $"--Pixerve:Gateway:UploadPageDemoToken={token}");
        await using var served = gateway;
        using var client = http;

        using var page = await http.GetAsync("/");
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Equal("text/html", page.Content.Headers.ContentType?.MediaType);
        Assert.Equal(UploadPageApi.PageContentSecurityPolicy, page.Headers.GetValues("Content-Security-Policy").Single());
        Assert.Contains("script-src 'self';", UploadPageApi.PageContentSecurityPolicy);
        Assert.DoesNotContain("unsafe", UploadPageApi.PageContentSecurityPolicy);
        Assert.True(page.Headers.CacheControl?.NoStore);
        var html = await page.Content.ReadAsStringAsync();
        Assert.Contains($"data-token=\"{token}\"", html);
        // Nothing inline for the CSP to refuse: every script and style is a file of the gateway's.
        Assert.DoesNotMatch(InlineScriptOrStyle(), html);

        // The bundle's URLs name its versions; each answers with its type, that version as ETag and immutable caching.
        foreach (var (file, type) in new[] { ("upload.js", "text/javascript"), ("upload.css", "text/css") })
        {
            var url = Assert.Single(AssetUrl().Matches(html).Select(m => m.Groups[1].Value), u => u.StartsWith($"/upload-page/{file}?v=", StringComparison.Ordinal));
            using var asset = await http.GetAsync(url);
            Assert.Equal(HttpStatusCode.OK, asset.StatusCode);
            Assert.Equal(type, asset.Content.Headers.ContentType?.MediaType);
            Assert.Equal("utf-8", asset.Content.Headers.ContentType?.CharSet);
            Assert.Equal("nosniff", asset.Headers.GetValues("X-Content-Type-Options").Single());
            Assert.Equal("public, max-age=31536000, immutable", asset.Headers.CacheControl?.ToString());
            var bytes = await asset.Content.ReadAsByteArrayAsync();
            var version = url[(url.IndexOf("?v=", StringComparison.Ordinal) + 3)..];
            Assert.Equal(version, Convert.ToHexStringLower(SHA256.HashData(bytes))[..16]);
            Assert.Equal($"\"{version}\"", asset.Headers.ETag?.Tag);

            // Without the version the URL is revalidated, and an unchanged file is a 304.
            using var unversioned = await http.GetAsync($"/upload-page/{file}");
            Assert.Equal("public, no-cache", unversioned.Headers.CacheControl?.ToString());
            using var revalidate = new HttpRequestMessage(HttpMethod.Get, $"/upload-page/{file}");
            revalidate.Headers.IfNoneMatch.Add(new EntityTagHeaderValue($"\"{version}\""));
            using var notModified = await http.SendAsync(revalidate);
            Assert.Equal(HttpStatusCode.NotModified, notModified.StatusCode);

            // Compressed for a browser that takes it, the same bytes once decoded.
            using var compressed = new HttpRequestMessage(HttpMethod.Get, url);
            compressed.Headers.AcceptEncoding.ParseAdd("gzip");
            using var gzip = await http.SendAsync(compressed);
            Assert.Equal("gzip", Assert.Single(gzip.Content.Headers.ContentEncoding));
            var zipped = await gzip.Content.ReadAsByteArrayAsync();
            Assert.True(zipped.Length < bytes.Length / 2, $"{file}: {zipped.Length} bytes gzipped of {bytes.Length}");
            await using var unzip = new System.IO.Compression.GZipStream(new MemoryStream(zipped), System.IO.Compression.CompressionMode.Decompress);
            using var unzipped = new MemoryStream();
            await unzip.CopyToAsync(unzipped);
            Assert.Equal(bytes, unzipped.ToArray());
        }

        // The licences of what the bundle contains are served beside it.
        using var notices = await http.GetAsync("/upload-page/THIRD-PARTY-NOTICES.txt");
        Assert.Equal("text/plain", notices.Content.Headers.ContentType?.MediaType);
        var text = await notices.Content.ReadAsStringAsync();
        foreach (var package in new[] { "@uppy/core", "@uppy/dashboard", "@uppy/tus", "tus-js-client", "preact", "thumbhash" })
            Assert.Contains($"- {package} ", text);

        using var unknown = await http.GetAsync("/upload-page/page.js");
        await HttpAssert.AssertProblem(unknown, HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Without_a_demo_token_the_field_starts_empty_and_a_demo_token_that_is_no_jwt_stops_the_gateway()
    {
        var (gateway, http) = await fixture.StartGatewayAsync("--Pixerve:Gateway:UploadPage=true");
        await using var served = gateway;
        using var client = http;
        var html = await http.GetStringAsync("/");
        Assert.Contains("data-token=\"\"", html);

        // Not a JWT: the gateway refuses to start, naming the key.
        var error = Assert.Throws<Microsoft.Extensions.Options.OptionsValidationException>(() => Hosting.GatewayApp.Build(
            [$"--Pixerve:Jwt:Secret={PixerveFixture.JwtSecret}", "--urls=http://127.0.0.1:0", "--Pixerve:Gateway:UploadPage=true",
             "--Pixerve:Gateway:UploadPageDemoToken=\"><script>alert(1)</script>"]));
        Assert.Contains("Pixerve:Gateway:UploadPageDemoToken", error.Message);
    }

    [GeneratedRegex(@"<script(?![^>]*\bsrc=)[^>]*>|<style|\sstyle=|\son[a-z]+=", RegexOptions.IgnoreCase)]
    private static partial Regex InlineScriptOrStyle();

    [GeneratedRegex(@"(?:src|href)=""(/upload-page/[^""]+)""")]
    private static partial Regex AssetUrl();
}
