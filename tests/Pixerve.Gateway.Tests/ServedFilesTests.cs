using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Pixerve.Testing.Fixtures;

namespace Pixerve.Gateway.Tests;

/// <summary>Files under <c>/files</c>: ranges, conditional requests, caching and the headers that keep a browser from running them.</summary>
[Collection(PixerveCollection.Name)]
public sealed class ServedFilesTests(PixerveFixture fixture)
{
    [Fact]
    public async Task Served_files_answer_a_range_with_206_and_a_matching_etag_with_304()
    {
        var subDir = $"documented/{Guid.NewGuid():N}";
        var token = fixture.Token(new { formats = new { png = new { sizes = new[] { new[] { 64 } } } }, directHost = true, subDir });
        using var upload = await fixture.Http.SendAsync(PixerveFixture.UploadBytes(UniqueBytes.Jpeg("va.jpg"), "va.jpg", token));
        await HttpAssert.AssertOk(upload);
        var answer = await upload.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("completed", (await fixture.WaitUntilFinalAsync(answer.GetProperty("hash").GetString()!, token)).GetProperty("status").GetString());
        var path = $"/files/{subDir}/{answer.GetProperty("expected_files")[0].GetString()}";

        using var whole = await fixture.Http.GetAsync(path);
        Assert.Equal(HttpStatusCode.OK, whole.StatusCode);
        var bytes = await whole.Content.ReadAsByteArrayAsync();
        var etag = whole.Headers.ETag;
        Assert.NotNull(etag);

        using var range = new HttpRequestMessage(HttpMethod.Get, path);
        range.Headers.Range = new RangeHeaderValue(0, 9);
        using var partial = await fixture.Http.SendAsync(range);
        Assert.Equal(HttpStatusCode.PartialContent, partial.StatusCode);
        Assert.Equal(bytes[..10], await partial.Content.ReadAsByteArrayAsync());
        Assert.Equal($"bytes 0-9/{bytes.Length}", partial.Content.Headers.ContentRange?.ToString());

        using var conditional = new HttpRequestMessage(HttpMethod.Get, path);
        conditional.Headers.IfNoneMatch.Add(etag!);
        using var notModified = await fixture.Http.SendAsync(conditional);
        Assert.Equal(HttpStatusCode.NotModified, notModified.StatusCode);
        Assert.Empty(await notModified.Content.ReadAsByteArrayAsync());

        using var beyond = new HttpRequestMessage(HttpMethod.Get, path);
        beyond.Headers.Range = new RangeHeaderValue(bytes.Length + 100, null);
        using var unsatisfiable = await fixture.Http.SendAsync(beyond);
        Assert.Equal(HttpStatusCode.RequestedRangeNotSatisfiable, unsatisfiable.StatusCode);
        Assert.DoesNotContain("immutable", unsatisfiable.Headers.CacheControl?.ToString() ?? "");

        using var missing = await fixture.Http.GetAsync($"/files/{subDir}/missing.png");
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        foreach (var answer_ in new[] { whole, partial, unsatisfiable, missing })
        {
            Assert.Equal("nosniff", Assert.Single(answer_.Headers.GetValues("X-Content-Type-Options")));
            Assert.Equal("default-src 'none'; sandbox", Assert.Single(answer_.Headers.GetValues("Content-Security-Policy")));
        }
        Assert.Contains("immutable", whole.Headers.CacheControl?.ToString());
    }
}
