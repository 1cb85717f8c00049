using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Pixerve.Testing;
using Pixerve.Testing.Fixtures;

namespace Pixerve.Gateway.Tests;

/// <summary>What README promises and no other test held it to: served-file caching, limits, token checks, webhook give-up.</summary>
[Collection(PixerveCollection.Name)]
public sealed class DocumentedBehaviourTests(PixerveFixture fixture)
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

    [Fact]
    public async Task One_upload_over_the_byte_limit_is_413_and_stages_nothing()
    {
        var (gateway, http) = await fixture.StartGatewayAsync("--Pixerve:Limits:MaxUploadBytes=100000");
        await using var _ = gateway;
        using var __ = http;
        var image = RepositoryPaths.Image("photo-1920x1280-canon.jpg");
        Assert.True(new FileInfo(image).Length > 100_000);
        var stagedBefore = await fixture.Staging.ListAsync(CancellationToken.None);
        var token = fixture.Token(new { formats = new { jpg = new { sizes = new[] { new[] { 64 } } } }, directHost = true, subDir = "documented/large" });

        using var response = await http.SendAsync(fixture.Upload(image, token));
        var problem = await HttpAssert.AssertProblem(response, HttpStatusCode.RequestEntityTooLarge);
        Assert.Contains("100000", problem.GetProperty("detail").GetString());
        await fixture.AssertNothingNewStagedAsync(stagedBefore);
    }

    [Fact]
    public async Task Issuer_and_audience_are_checked_when_configured_and_expiry_allows_30_seconds_of_skew()
    {
        var (gateway, http) = await fixture.StartGatewayAsync("--Pixerve:Jwt:Issuer=pixerve-tests", "--Pixerve:Jwt:Audience=uploads");
        await using var _ = gateway;
        using var __ = http;
        var job = new { formats = new { jpg = new { sizes = new[] { new[] { 64 } } } }, directHost = true };
        var right = new Dictionary<string, object> { ["iss"] = "pixerve-tests", ["aud"] = "uploads" };

        // A token the gateway accepts reaches the endpoint, which answers 404 for this unknown hash; a refused one is 401.
        async Task<HttpStatusCode> StatusWith(string token)
        {
            using var request = fixture.Request(HttpMethod.Get, $"/status?hash={new string('a', 64)}", token);
            using var response = await http.SendAsync(request);
            return response.StatusCode;
        }

        Assert.Equal(HttpStatusCode.NotFound, await StatusWith(TestTokens.Mint(PixerveFixture.JwtSecret, job, claims: right)));
        Assert.Equal(HttpStatusCode.Unauthorized, await StatusWith(TestTokens.Mint(PixerveFixture.JwtSecret, job)));
        Assert.Equal(HttpStatusCode.Unauthorized, await StatusWith(TestTokens.Mint(PixerveFixture.JwtSecret, job,
            claims: new Dictionary<string, object> { ["iss"] = "someone-else", ["aud"] = "uploads" })));
        Assert.Equal(HttpStatusCode.Unauthorized, await StatusWith(TestTokens.Mint(PixerveFixture.JwtSecret, job,
            claims: new Dictionary<string, object> { ["iss"] = "pixerve-tests", ["aud"] = "elsewhere" })));
        Assert.Equal(HttpStatusCode.NotFound, await StatusWith(TestTokens.Mint(PixerveFixture.JwtSecret, job,
            DateTimeOffset.UtcNow.AddSeconds(-10), claims: right)));
        Assert.Equal(HttpStatusCode.Unauthorized, await StatusWith(TestTokens.Mint(PixerveFixture.JwtSecret, job,
            DateTimeOffset.UtcNow.AddSeconds(-90), claims: right)));
    }

    [Fact]
    public async Task A_webhook_that_never_succeeds_is_given_up_after_its_last_attempt()
    {
        await using var receiver = await WebhookReceiver.StartAsync(failures: int.MaxValue);
        var token = fixture.Token(new
        {
            formats = new { jpg = new { sizes = new[] { new[] { 64 } } } },
            directHost = true,
            subDir = $"documented/{Guid.NewGuid():N}",
            completionCallback = receiver.Url,
        });
        using var upload = await fixture.Http.SendAsync(PixerveFixture.UploadBytes(UniqueBytes.Jpeg("vb.jpg"), "vb.jpg", token));
        await HttpAssert.AssertOk(upload);
        var hash = (await upload.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("hash").GetString()!;
        Assert.Equal("completed", (await fixture.WaitUntilFinalAsync(hash, token)).GetProperty("status").GetString());

        JsonElement webhook = default;
        await Poll.UntilAsync(async () =>
        {
            webhook = (await fixture.GetJsonAsync($"/status?hash={hash}", token)).GetProperty("webhook");
            return webhook.GetProperty("status").GetString() != "pending";
        }, TimeSpan.FromMinutes(1), "the webhook to settle");
        Assert.Equal("failed", webhook.GetProperty("status").GetString());
        Assert.Equal(6, webhook.GetProperty("attempts").GetInt32());
        Assert.Equal(500, webhook.GetProperty("last_status_code").GetInt32());
        Assert.Equal(6, receiver.Received.Count);
    }

    [Fact]
    public async Task Health_is_503_naming_the_failed_check_and_the_gateway_not_ready_when_staging_storage_is_down()
    {
        // The same account at a port nothing listens on: the gateway's staging probe fails, the cluster is fine.
        var closed = ServerProcess.FreePort();
        var down = System.Text.RegularExpressions.Regex.Replace(fixture.StorageConnectionString, @"127\.0\.0\.1:\d+", $"127.0.0.1:{closed}");
        var (gateway, http) = await fixture.StartGatewayAsync($"--Pixerve:Storage:ConnectionString={down}");
        await using var _ = gateway;
        using var __ = http;

        using var response = await http.SendAsync(fixture.Admin(HttpMethod.Get, "/health"));
        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("unhealthy", body.GetProperty("status").GetString());
        Assert.Equal("unhealthy", body.GetProperty("checks").GetProperty("staging").GetString());
        Assert.Equal("healthy", body.GetProperty("checks").GetProperty("cluster").GetString());

        // The probes: still alive, not ready; the fixture's own gateway is both.
        using var live = await http.GetAsync("/health/live");
        Assert.Equal(HttpStatusCode.OK, live.StatusCode);
        using var notReady = await http.GetAsync("/health/ready");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, notReady.StatusCode);
        Assert.Equal("Unhealthy", await notReady.Content.ReadAsStringAsync());
        using var ready = await fixture.Http.GetAsync("/health/ready");
        Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
        Assert.Equal("Healthy", await ready.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task The_openapi_document_names_each_operations_method_and_status_codes()
    {
        var paths = (await fixture.Http.GetFromJsonAsync<JsonElement>("/openapi/v1.json")).GetProperty("paths");
        string[] Codes(string path, string method) =>
            paths.GetProperty(path).GetProperty(method).GetProperty("responses").EnumerateObject().Select(r => r.Name).Order().ToArray();

        Assert.Equal(["200", "400", "401", "408", "409", "413", "415", "429", "503"], Codes("/upload", "post"));
        Assert.Equal(["200", "400", "401", "404"], Codes("/status", "get"));
        Assert.Equal(["200", "400", "401", "404", "409"], Codes("/cancel", "delete"));
        Assert.Equal(["200", "400", "401", "404"], Codes("/success", "get"));
        Assert.Equal(["200", "400", "401", "403"], Codes("/success/list", "get"));
        Assert.Equal(["get"], paths.GetProperty("/status").EnumerateObject().Select(m => m.Name).Where(m => m is "get" or "post" or "put" or "delete"));
    }
}
