using System.Net;
using Pixerve.Tests.Infrastructure;

namespace Pixerve.Tests.Gateway;

[Collection(PixerveCollection.Name)]
public sealed class AuthTests(PixerveFixture fixture)
{
    private static readonly object Job = new { formats = new { jpg = new { sizes = new[] { new[] { 100 } } } }, directHost = true };

    public static TheoryData<string, string?> BadTokens() => new()
    {
        { "no token", null },
        { "expired", TestTokens.Mint(PixerveFixture.JwtSecret, Job, DateTimeOffset.UtcNow.AddMinutes(-5)) },
        { "no exp", TestTokens.Mint(PixerveFixture.JwtSecret, Job, includeExpiry: false) },
        { "wrong signature", TestTokens.Mint("another-secret-that-is-long-enough-for-hs256-xyz", Job) },
        { "alg none", TestTokens.Mint(PixerveFixture.JwtSecret, Job, algorithm: "none") },
        { "HS512", TestTokens.Mint(PixerveFixture.JwtSecret, Job, algorithm: "HS512") },
        { "garbage", "not.a.jwt" },
        { "lives ten years", TestTokens.Mint(PixerveFixture.JwtSecret, Job, DateTimeOffset.UtcNow.AddYears(10)) },
        { "exp − iat over 24 h", TestTokens.Mint(PixerveFixture.JwtSecret, Job, DateTimeOffset.UtcNow.AddMinutes(10),
            claims: new Dictionary<string, object> { ["iat"] = DateTimeOffset.UtcNow.AddHours(-25).ToUnixTimeSeconds() }) },
        { "no iat, exp − now over 24 h", TestTokens.Mint(PixerveFixture.JwtSecret, Job, DateTimeOffset.UtcNow.AddHours(25), includeIssuedAt: false) },
        { "exp as a string", TestTokens.Mint(PixerveFixture.JwtSecret, Job, includeExpiry: false,
            claims: new Dictionary<string, object> { ["exp"] = DateTimeOffset.UtcNow.AddMinutes(10).ToUnixTimeSeconds().ToString() }) },
        { "unknown crit header", TestTokens.Mint(PixerveFixture.JwtSecret, Job,
            headers: new Dictionary<string, object> { ["crit"] = new[] { "x-pixerve-unknown" }, ["x-pixerve-unknown"] = 1 }) },
    };

    [Theory]
    [MemberData(nameof(BadTokens))]
    public async Task Upload_with_a_bad_header_token_is_401_problem(string why, string? token)
    {
        using var response = await fixture.Http.SendAsync(fixture.Upload(RepositoryPaths.Image("vb.jpg"), token));
        var problem = await HttpAssert.AssertProblem(response, HttpStatusCode.Unauthorized);
        Assert.True(problem.TryGetProperty("detail", out _), why);
    }

    [Theory]
    [MemberData(nameof(BadTokens))]
    public async Task Upload_with_a_bad_form_token_is_401_problem(string why, string? token)
    {
        using var response = await fixture.Http.SendAsync(fixture.Upload(RepositoryPaths.Image("vb.jpg"), bearer: null, formToken: token));
        var problem = await HttpAssert.AssertProblem(response, HttpStatusCode.Unauthorized);
        Assert.True(problem.TryGetProperty("detail", out _), why);
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
}
