using System.Text.Json;
using System.Net.Http.Json;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Pixerve.Testing;
using Pixerve.Testing.Fixtures;

namespace Pixerve.Gateway.Tests;

/// <summary>The dashboard, the jobs page and the stats they read: admin only, and a browser can sign in.</summary>
[Collection(PixerveCollection.Name)]
public sealed class AdminPagesTests(PixerveFixture fixture)
{
    private static readonly object Job = new { formats = new { jpg = new { sizes = new[] { new[] { 10 } } } }, directHost = true };

    public static TheoryData<string> Guarded() => new() { "/admin", "/admin/stats", "/dashboard/", "/dashboard/index.min.js", "/dashboard/DashboardCounters" };

    public static AuthenticationHeaderValue Basic(string user, string password) =>
        new("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{user}:{password}")));

    private async Task<HttpResponseMessage> GetAsync(string path, AuthenticationHeaderValue? authorization, HttpClient? http = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Authorization = authorization;
        return await (http ?? fixture.Http).SendAsync(request);
    }

    [Theory]
    [MemberData(nameof(Guarded))]
    public async Task Without_credentials_the_answer_is_401_with_a_basic_challenge(string path)
    {
        using var none = await GetAsync(path, null);
        await HttpAssert.AssertProblem(none, HttpStatusCode.Unauthorized);
        Assert.Equal("Basic", Assert.Single(none.Headers.WwwAuthenticate).Scheme);

        var refused = new[]
        {
            Basic("admin", "not-the-admin-token"), Basic("admin", PixerveFixture.AdminToken + "x"), Basic("admin", ""),
            new AuthenticationHeaderValue("Basic", "!!not-base64"),
            new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes(PixerveFixture.AdminToken))), // no colon
        };
        foreach (var authorization in refused)
        {
            using var wrong = await GetAsync(path, authorization);
            await HttpAssert.AssertProblem(wrong, HttpStatusCode.Unauthorized);
            Assert.Equal("Basic", Assert.Single(wrong.Headers.WwwAuthenticate).Scheme);
        }
    }

    [Theory]
    [MemberData(nameof(Guarded))]
    public async Task A_job_token_is_403(string path)
    {
        using var response = await GetAsync(path, new AuthenticationHeaderValue("Bearer", fixture.Token(Job)));
        await HttpAssert.AssertProblem(response, HttpStatusCode.Forbidden);
    }

    [Theory]
    [MemberData(nameof(Guarded))]
    public async Task The_admin_token_opens_them_as_basic_password_with_any_user_or_as_bearer(string path)
    {
        foreach (var authorization in new[] { Basic("ops", PixerveFixture.AdminToken), Basic("", PixerveFixture.AdminToken),
                     new AuthenticationHeaderValue("Bearer", PixerveFixture.AdminToken) })
        {
            using var response = await GetAsync(path, authorization);
            await HttpAssert.AssertOk(response);
            // Not an error page that happens to be 200: the body is what the path serves.
            var body = await response.Content.ReadAsStringAsync();
            Assert.False(string.IsNullOrWhiteSpace(body));
            if (path == "/admin/stats") Assert.True(JsonDocument.Parse(body).RootElement.TryGetProperty("silos", out _), body);
            if (path == "/admin") Assert.Contains("<title>Pixerve", body);
        }
    }

    [Fact]
    public async Task Jobs_page_is_html_that_reads_the_stats_and_both_lists()
    {
        using var response = await GetAsync("/admin", Basic("ops", PixerveFixture.AdminToken));
        await HttpAssert.AssertOk(response);
        Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
        var html = await response.Content.ReadAsStringAsync();
        foreach (var call in new[] { "/admin/stats", "/success/list", "/failures/list" }) Assert.Contains(call, html);
    }

    [Fact]
    public async Task Dashboard_is_the_orleans_dashboard_and_its_api_reaches_the_silos()
    {
        using var noSlash = await GetAsync("/dashboard", null);
        await HttpAssert.AssertProblem(noSlash, HttpStatusCode.Unauthorized);
        using var index = await GetAsync("/dashboard/", Basic("ops", PixerveFixture.AdminToken));
        await HttpAssert.AssertOk(index);
        Assert.Contains("index.min.js", await index.Content.ReadAsStringAsync());

        // The dashboard collects its counters from the silos on its own timer: right after start its host list is empty.
        var port = fixture.Cluster.Primary!.SiloAddress.Endpoint.Port.ToString();
        await Poll.UntilAsync(async () =>
        {
            using var counters = await GetAsync("/dashboard/DashboardCounters", Basic("ops", PixerveFixture.AdminToken));
            await HttpAssert.AssertOk(counters);
            return (await counters.Content.ReadAsStringAsync()).Contains(port);
        }, TimeSpan.FromSeconds(30), "the dashboard's counters to list the silo");
    }

    [Fact]
    public async Task Basic_credentials_also_open_the_lists_the_page_reads()
    {
        using var response = await GetAsync("/failures/list?limit=1", Basic("ops", PixerveFixture.AdminToken));
        await HttpAssert.AssertOk(response);
        // The page's shape: at most one item, each naming its hash, job id and error, and a cursor field.
        var page = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(page.GetProperty("items").GetArrayLength() <= 1);
        Assert.True(page.TryGetProperty("next_cursor", out _));
        foreach (var item in page.GetProperty("items").EnumerateArray())
        {
            Assert.Equal(64, item.GetProperty("hash").GetString()!.Length);
            Assert.Equal(64, item.GetProperty("job_id").GetString()!.Length);
            Assert.False(string.IsNullOrEmpty(item.GetProperty("error").GetString()));
        }
    }

    [Fact]
    public async Task With_no_admin_token_configured_they_are_403_even_with_credentials()
    {
        var (gateway, http) = await fixture.StartGatewayAsync("--Pixerve:AdminToken=");
        await using var _ = gateway;
        using var __ = http;
        foreach (var path in new[] { "/admin", "/admin/stats", "/dashboard/", "/admin/credentials", "/success/list" })
        {
            using var none = await GetAsync(path, null, http);
            await HttpAssert.AssertProblem(none, HttpStatusCode.Forbidden);
            using var basic = await GetAsync(path, Basic("ops", PixerveFixture.AdminToken), http);
            await HttpAssert.AssertProblem(basic, HttpStatusCode.Forbidden);
            using var bearer = await http.SendAsync(fixture.Request(HttpMethod.Get, path, PixerveFixture.AdminToken));
            await HttpAssert.AssertProblem(bearer, HttpStatusCode.Forbidden);
        }
    }

    public static TheoryData<string, string?, string?, HttpStatusCode> CrossSite() => new()
    {
        { "cross-site fetch", "cross-site", "https://evil.example", HttpStatusCode.Forbidden },
        { "same-site but another origin", "same-site", "http://evil.localhost", HttpStatusCode.Forbidden },
        { "form post with only a foreign Origin", null, "https://evil.example", HttpStatusCode.Forbidden },
        { "no Fetch metadata and no Origin", null, null, HttpStatusCode.Forbidden },
        { "the dashboard itself", "same-origin", null, HttpStatusCode.NotFound },
        { "a matching Origin", null, "self", HttpStatusCode.NotFound },
    };

    [Theory]
    [MemberData(nameof(CrossSite))]
    public async Task A_state_changing_admin_request_signed_in_by_basic_must_come_from_this_origin(
        string why, string? fetchSite, string? origin, HttpStatusCode expected)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/admin/credentials/no-such-key/test");
        request.Headers.Authorization = Basic("ops", PixerveFixture.AdminToken);
        if (fetchSite is not null) request.Headers.Add("Sec-Fetch-Site", fetchSite);
        if (origin is not null)
            request.Headers.Add("Origin", origin == "self" ? fixture.Http.BaseAddress!.GetLeftPart(UriPartial.Authority) : origin);
        using var response = await fixture.Http.SendAsync(request);
        Assert.True(expected == response.StatusCode, $"{why}: {response.StatusCode}");
        if (expected == HttpStatusCode.Forbidden) await HttpAssert.AssertProblem(response, HttpStatusCode.Forbidden);
    }

    [Fact]
    public async Task The_admin_bearer_token_is_not_held_to_the_origin_and_reads_go_through()
    {
        using var post = fixture.Admin(HttpMethod.Post, "/admin/credentials/no-such-key/test");
        post.Headers.Add("Sec-Fetch-Site", "cross-site");
        using var bearer = await fixture.Http.SendAsync(post);
        Assert.Equal(HttpStatusCode.NotFound, bearer.StatusCode);

        using var get = new HttpRequestMessage(HttpMethod.Get, "/admin/credentials");
        get.Headers.Authorization = Basic("ops", PixerveFixture.AdminToken);
        get.Headers.Add("Sec-Fetch-Site", "cross-site");
        using var read = await fixture.Http.SendAsync(get);
        Assert.Equal(HttpStatusCode.OK, read.StatusCode);
    }

    [Theory]
    [InlineData("test-admin-token", "test-admin-token", true)]
    [InlineData("test-admin-tokem", "test-admin-token", false)]
    [InlineData("test-admin-token-and-more", "test-admin-token", false)]
    [InlineData("t", "test-admin-token", false)]
    [InlineData("", "test-admin-token", false)]
    [InlineData(null, "test-admin-token", false)]
    [InlineData("", "", false)]
    [InlineData("x", null, false)]
    public void The_admin_token_comparison_is_over_fixed_length_digests(string? presented, string? token, bool expected) =>
        Assert.Equal(expected, Pixerve.Gateway.Admin.AdminSecrets.Matches(presented, token));
}
