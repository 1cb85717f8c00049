using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Pixerve.GrainInterfaces.Jobs;
using Pixerve.Testing;
using Pixerve.Testing.Fixtures;

namespace Pixerve.Gateway.Tests;

[Collection(PixerveCollection.Name)]
public sealed class OperationsTests(PixerveFixture fixture)
{
    private static readonly object Job = new { formats = new { jpg = new { sizes = new[] { new[] { 50 } } } }, directHost = true, subDir = "ops" };

    [Fact]
    public async Task OpenApi_document_lists_every_route()
    {
        var document = await fixture.Http.GetFromJsonAsync<JsonElement>("/openapi/v1.json");
        var paths = document.GetProperty("paths").EnumerateObject().Select(p => p.Name).ToList();
        Assert.Equivalent(new[]
        {
            "/upload", "/status", "/cancel", "/retry", "/success", "/failures", "/success/list", "/failures/list", "/events",
            "/files/{path}", "/health", "/version",
            "/admin/credentials", "/admin/credentials/{key}", "/admin/credentials/{key}/test", "/admin/credential-types", "/admin/stats",
        }, paths.ToArray(), strict: true);
        Assert.True(document.GetProperty("components").GetProperty("schemas").TryGetProperty("StatusResponse", out _));
        var upload = document.GetProperty("paths").GetProperty("/upload").GetProperty("post").GetProperty("responses").GetProperty("200")
            .GetProperty("content").GetProperty("application/json").GetProperty("schema");
        // One file part answers {hash, expected_files} with the job's id and status; several answer {jobs},
        // whose entries always name the file.
        var shapes = upload.GetProperty("oneOf").EnumerateArray().ToList();
        Assert.Equal(2, shapes.Count);
        Assert.Equal(["hash", "job_id", "expected_files", "status"], shapes[0].GetProperty("required").EnumerateArray().Select(r => r.GetString()));
        var entry = shapes[1].GetProperty("properties").GetProperty("jobs").GetProperty("items");
        Assert.Equal(["file"], entry.GetProperty("required").EnumerateArray().Select(r => r.GetString()));
        Assert.Equal(["file", "hash", "job_id", "expected_files", "status", "error"], entry.GetProperty("properties").EnumerateObject().Select(p => p.Name));
    }

    [Theory]
    [InlineData("127.0.0.1", false)] // the proxy the requests come from: each forwarded client has its own limit
    [InlineData("192.0.2.1", true)] // another proxy is configured: these headers are refused and one limit applies
    public async Task The_per_ip_limit_follows_x_forwarded_for_only_from_a_configured_proxy(string proxy, bool limited)
    {
        var (gateway, http) = await fixture.StartGatewayAsync("--Pixerve:RateLimits:UploadsPerMinutePerIp=1",
            $"--Pixerve:ForwardedHeaders:KnownProxies:0={proxy}");
        await using var _ = gateway;
        using var __ = http;

        var statuses = new List<HttpStatusCode>();
        foreach (var client in new[] { "203.0.113.7", "203.0.113.8" })
        {
            // Refused before any job exists: no file part, so the endpoint answers 400 when the limiter lets it through.
            using var request = new HttpRequestMessage(HttpMethod.Post, "/upload") { Content = new MultipartFormDataContent { { new StringContent("x"), "note" } } };
            request.Headers.Add("X-Forwarded-For", client);
            using var response = await http.SendAsync(request);
            statuses.Add(response.StatusCode);
        }

        Assert.Equal(HttpStatusCode.BadRequest, statuses[0]);
        Assert.Equal(limited ? HttpStatusCode.TooManyRequests : HttpStatusCode.BadRequest, statuses[1]);
    }

    [Fact]
    public async Task OpenApi_document_checked_in_is_the_one_the_gateway_serves()
    {
        // openapi/pixerve.v1.json is written by the gateway's build; the clients under clients/ are written against it.
        var served = System.Text.Json.Nodes.JsonNode.Parse(await fixture.Http.GetStringAsync("/openapi/v1.json"))!.AsObject();
        served.Remove("servers");
        var path = Path.Combine(RepositoryPaths.Root, "openapi", "pixerve.v1.json");
        var checkedIn = System.Text.Json.Nodes.JsonNode.Parse(await File.ReadAllTextAsync(path));
        Assert.True(System.Text.Json.Nodes.JsonNode.DeepEquals(served, checkedIn),
            $"{path} differs from the document the gateway serves (first at {FirstDifference(served, checkedIn, "$")}): " +
            "build src/Pixerve.Gateway and commit the file");
        var status = served["components"]!["schemas"]!["StatusResponse"]!["properties"]!["status"]!["enum"]!.AsArray().Select(v => (string)v!);
        Assert.Equal(["pending", "processing", "completed", "failed", "cancelled"], status);
        Assert.NotNull(served["components"]!["schemas"]!["ProblemDetails"]!["properties"]!["field"]);
    }

    private static string FirstDifference(System.Text.Json.Nodes.JsonNode? a, System.Text.Json.Nodes.JsonNode? b, string at)
    {
        if (a is System.Text.Json.Nodes.JsonObject oa && b is System.Text.Json.Nodes.JsonObject ob)
        {
            foreach (var key in oa.Select(p => p.Key).Union(ob.Select(p => p.Key)))
                if (!System.Text.Json.Nodes.JsonNode.DeepEquals(oa[key], ob[key])) return FirstDifference(oa[key], ob[key], $"{at}.{key}");
        }
        else if (a is System.Text.Json.Nodes.JsonArray aa && b is System.Text.Json.Nodes.JsonArray ab && aa.Count == ab.Count)
        {
            for (var i = 0; i < aa.Count; i++)
                if (!System.Text.Json.Nodes.JsonNode.DeepEquals(aa[i], ab[i])) return FirstDifference(aa[i], ab[i], $"{at}[{i}]");
        }
        return $"{at}: served {a?.ToJsonString() ?? "nothing"}, checked in {b?.ToJsonString() ?? "nothing"}";
    }

    [Fact]
    public async Task Uploads_past_the_per_subject_limit_get_429_with_the_token_in_the_form_field_too()
    {
        var (gateway, http) = await fixture.StartGatewayAsync(
            "--Pixerve:RateLimits:UploadsPerMinutePerIp=0", "--Pixerve:RateLimits:UploadsPerMinutePerSubject=1");
        await using var _ = gateway;
        using var __ = http;
        var token = TestTokens.Mint(PixerveFixture.JwtSecret, Job, subject: "form-field-subject");

        using var first = await http.SendAsync(fixture.Upload(RepositoryPaths.Image("vb.webp"), bearer: null, formToken: token));
        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        using var second = await http.SendAsync(fixture.Upload(RepositoryPaths.Image("vb.webp"), bearer: null, formToken: token));
        await HttpAssert.AssertProblem(second, HttpStatusCode.TooManyRequests);
        Assert.True(int.Parse(second.Headers.RetryAfter!.ToString()) is > 0 and <= 60);
        // The header token of the same subject shares the window.
        using var third = await http.SendAsync(fixture.Upload(RepositoryPaths.Image("vb.webp"), token));
        await HttpAssert.AssertProblem(third, HttpStatusCode.TooManyRequests);

        var hash = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(File.ReadAllBytes(RepositoryPaths.Image("vb.webp"))));
        await fixture.WaitUntilFinalAsync(hash, token);
    }

    [Fact]
    public async Task Uploads_past_the_per_ip_limit_get_429_with_retry_after()
    {
        var (gateway, http) = await fixture.StartGatewayAsync("--Pixerve:RateLimits:UploadsPerMinutePerIp=2");
        await using var _ = gateway;
        using var __ = http;
        var token = fixture.Token(Job);

        var statuses = new List<HttpStatusCode>();
        HttpResponseMessage? last = null;
        for (var i = 0; i < 3; i++)
        {
            last?.Dispose();
            last = await http.SendAsync(fixture.Upload(RepositoryPaths.Image("vb.webp"), token));
            statuses.Add(last.StatusCode);
        }

        Assert.Equal([HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.TooManyRequests], statuses);
        Assert.True(int.Parse(last!.Headers.RetryAfter!.ToString()) is > 0 and <= 60);
        await HttpAssert.AssertProblem(last, HttpStatusCode.TooManyRequests);
        // Leave no job running into the next test.
        var hash = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(File.ReadAllBytes(RepositoryPaths.Image("vb.webp"))));
        await fixture.WaitUntilFinalAsync(hash, token);
    }

    [Fact]
    public async Task Upload_to_a_saturated_cluster_gets_503_and_stages_nothing()
    {
        var before = await fixture.Staging.ListAsync(CancellationToken.None);
        var queue = fixture.Queue();
        var capacity = queue.Capacity;
        queue.Capacity = 0;
        var subject = $"saturated-{Guid.NewGuid():N}";
        try
        {
            using var response = await fixture.Http.SendAsync(fixture.Upload(RepositoryPaths.Image("gray.jpg"),
                TestTokens.Mint(PixerveFixture.JwtSecret, Job, subject: subject)));
            await HttpAssert.AssertProblem(response, HttpStatusCode.ServiceUnavailable);
            Assert.NotNull(response.Headers.RetryAfter);
        }
        finally
        {
            queue.Capacity = capacity;
        }

        await fixture.AssertNothingNewStagedAsync(before);
        // The job never came to be: it holds no place in its subject's share of pending jobs.
        Assert.Equal(0, await SubjectJobs.For(fixture.SiloService<IGrainFactory>(), subject).Count());
    }

    [Fact]
    public async Task Wrong_method_is_405_problem()
    {
        using var response = await fixture.Http.PutAsync("/status", null);
        Assert.Equal(HttpStatusCode.MethodNotAllowed, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }
}
