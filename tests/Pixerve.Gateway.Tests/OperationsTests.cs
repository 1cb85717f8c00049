using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Pixerve.Tests.Infrastructure;

namespace Pixerve.Tests.Gateway;

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
            "/upload", "/status", "/cancel", "/success", "/failures", "/success/list", "/failures/list", "/events",
            "/files/{path}", "/health", "/version",
            "/admin/credentials", "/admin/credentials/{key}", "/admin/credentials/{key}/test", "/admin/stats",
        }, paths.ToArray(), strict: true);
        Assert.True(document.GetProperty("components").GetProperty("schemas").TryGetProperty("StatusResponse", out _));
        var upload = document.GetProperty("paths").GetProperty("/upload").GetProperty("post").GetProperty("responses").GetProperty("200")
            .GetProperty("content").GetProperty("application/json").GetProperty("schema");
        // One file part answers the seed's {hash, expected_files} with the job's id and status; several answer {jobs},
        // whose entries always name the file.
        var shapes = upload.GetProperty("oneOf").EnumerateArray().ToList();
        Assert.Equal(2, shapes.Count);
        Assert.Equal(["hash", "job_id", "expected_files", "status"], shapes[0].GetProperty("required").EnumerateArray().Select(r => r.GetString()));
        var entry = shapes[1].GetProperty("properties").GetProperty("jobs").GetProperty("items");
        Assert.Equal(["file"], entry.GetProperty("required").EnumerateArray().Select(r => r.GetString()));
        Assert.Equal(["file", "hash", "job_id", "expected_files", "status", "error"], entry.GetProperty("properties").EnumerateObject().Select(p => p.Name));
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
        try
        {
            using var response = await fixture.Http.SendAsync(fixture.Upload(RepositoryPaths.Image("gray.jpg"), fixture.Token(Job)));
            await HttpAssert.AssertProblem(response, HttpStatusCode.ServiceUnavailable);
            Assert.NotNull(response.Headers.RetryAfter);
        }
        finally
        {
            queue.Capacity = capacity;
        }

        await fixture.AssertNothingNewStagedAsync(before);
    }

    [Fact]
    public async Task Wrong_method_is_405_problem()
    {
        using var response = await fixture.Http.PutAsync("/status", null);
        Assert.Equal(HttpStatusCode.MethodNotAllowed, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }
}
