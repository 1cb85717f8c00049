using System.Net;
using Pixerve.Testing;
using Pixerve.Testing.Fixtures;

namespace Pixerve.Gateway.Tests;

/// <summary>Uploads per minute per client address and per token subject: past the limit, 429 with Retry-After.</summary>
[Collection(PixerveCollection.Name)]
public sealed class RateLimitTests(PixerveFixture fixture)
{
    private static readonly object Job = new { formats = new { jpg = new { sizes = new[] { new[] { 50 } } } }, directHost = true, subDir = "ops" };

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
}
