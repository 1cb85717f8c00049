using System.Net;
using Pixerve.Testing;
using Pixerve.Testing.Fixtures;

namespace Pixerve.Gateway.Tests;

[Collection(PixerveCollection.Name)]
public sealed class AuthTests(PixerveFixture fixture)
{
    private static readonly object Job = new { formats = new { jpg = new { sizes = new[] { new[] { 100 } } } }, directHost = true };

    /// <summary>Each bad token with the reason its 401 must give: a refusal for the wrong reason is a failure too.</summary>
    public static TheoryData<string, string?, string> BadTokens() => new()
    {
        { "no token", null, "a job token is required" },
        { "expired", TestTokens.Mint(PixerveFixture.JwtSecret, Job, DateTimeOffset.UtcNow.AddMinutes(-5)), "the token has expired" },
        { "no exp", TestTokens.Mint(PixerveFixture.JwtSecret, Job, includeExpiry: false), "no 'exp' claim" },
        { "wrong signature", TestTokens.Mint("another-secret-that-is-long-enough-for-hs256-xyz", Job), "signature is invalid" },
        { "alg none", TestTokens.Mint(PixerveFixture.JwtSecret, Job, algorithm: "none"), "signature is invalid" },
        { "HS512", TestTokens.Mint(PixerveFixture.JwtSecret, Job, algorithm: "HS512"), "signature is invalid" },
        { "garbage", "not.a.jwt", "malformed" },
        { "lives ten years", TestTokens.Mint(PixerveFixture.JwtSecret, Job, DateTimeOffset.UtcNow.AddYears(10)), "lives longer than the 24 h allowed ('exp' − now)" },
        { "exp − iat over 24 h", TestTokens.Mint(PixerveFixture.JwtSecret, Job, DateTimeOffset.UtcNow.AddMinutes(10),
            claims: new Dictionary<string, object> { ["iat"] = DateTimeOffset.UtcNow.AddHours(-25).ToUnixTimeSeconds() }), "lives longer than the 24 h allowed ('exp' − 'iat')" },
        { "no iat, exp − now over 24 h", TestTokens.Mint(PixerveFixture.JwtSecret, Job, DateTimeOffset.UtcNow.AddHours(25), includeIssuedAt: false),
            "lives longer than the 24 h allowed ('exp' − now)" },
        // A future iat made exp − iat small while the token lived for ever.
        { "iat in year 9999", TestTokens.Mint(PixerveFixture.JwtSecret, Job, DateTimeOffset.FromUnixTimeSeconds(253402300000),
            claims: new Dictionary<string, object> { ["iat"] = 253402299000L }), "'iat' is in the future" },
        { "iat an hour ahead", TestTokens.Mint(PixerveFixture.JwtSecret, Job, DateTimeOffset.UtcNow.AddHours(2),
            claims: new Dictionary<string, object> { ["iat"] = DateTimeOffset.UtcNow.AddHours(1).ToUnixTimeSeconds() }), "'iat' is in the future" },
        { "exp as a string", TestTokens.Mint(PixerveFixture.JwtSecret, Job, includeExpiry: false,
            claims: new Dictionary<string, object> { ["exp"] = DateTimeOffset.UtcNow.AddMinutes(10).ToUnixTimeSeconds().ToString() }),
            "'exp' claim must be a number" },
        { "unknown crit header", TestTokens.Mint(PixerveFixture.JwtSecret, Job,
            headers: new Dictionary<string, object> { ["crit"] = new[] { "x-pixerve-unknown" }, ["x-pixerve-unknown"] = 1 }), "'crit' header" },
    };

    [Theory]
    [MemberData(nameof(BadTokens))]
    public async Task Upload_with_a_bad_header_token_is_401_problem_saying_why(string why, string? token, string reason)
    {
        using var response = await fixture.Http.SendAsync(fixture.Upload(RepositoryPaths.Image("vb.jpg"), token));
        var problem = await HttpAssert.AssertProblem(response, HttpStatusCode.Unauthorized);
        Assert.True(problem.GetProperty("detail").GetString()!.Contains(reason, StringComparison.Ordinal), $"{why}: {problem.GetProperty("detail")}");
    }

    [Theory]
    [MemberData(nameof(BadTokens))]
    public async Task Upload_with_a_bad_form_token_is_401_problem_saying_why(string why, string? token, string reason)
    {
        using var response = await fixture.Http.SendAsync(fixture.Upload(RepositoryPaths.Image("vb.jpg"), bearer: null, formToken: token));
        var problem = await HttpAssert.AssertProblem(response, HttpStatusCode.Unauthorized);
        Assert.True(problem.GetProperty("detail").GetString()!.Contains(reason, StringComparison.Ordinal), $"{why}: {problem.GetProperty("detail")}");
    }

    [Theory]
    [MemberData(nameof(BadTokens))]
    public async Task Status_with_a_bad_token_is_401_problem_saying_why(string why, string? token, string reason)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/status?hash={new string('a', 64)}");
        if (token is not null) request.Headers.Authorization = new("Bearer", token);
        using var response = await fixture.Http.SendAsync(request);
        var problem = await HttpAssert.AssertProblem(response, HttpStatusCode.Unauthorized);
        Assert.True(problem.GetProperty("detail").GetString()!.Contains(reason, StringComparison.Ordinal), $"{why}: {problem.GetProperty("detail")}");
    }

    [Fact]
    public async Task Status_needs_a_token()
    {
        using var response = await fixture.Http.GetAsync($"/status?hash={new string('a', 64)}");
        await HttpAssert.AssertProblem(response, HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task Admin_token_cannot_upload()
    {
        using var response = await fixture.Http.SendAsync(fixture.Upload(RepositoryPaths.Image("vb.jpg"), PixerveFixture.AdminToken));
        await HttpAssert.AssertProblem(response, HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task Admin_token_reads_status()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/status?hash={new string('b', 64)}");
        request.Headers.Authorization = new("Bearer", PixerveFixture.AdminToken);
        using var response = await fixture.Http.SendAsync(request);
        await HttpAssert.AssertProblem(response, HttpStatusCode.NotFound);
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
}
