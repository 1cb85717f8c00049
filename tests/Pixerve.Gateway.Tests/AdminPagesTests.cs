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

    private static readonly string JobView = $"/admin/jobs/{new string('0', 64)}";

    public static TheoryData<string> Guarded() => new()
    {
        "/admin", "/admin/stats", "/dashboard/", "/dashboard/index.min.js", "/dashboard/DashboardCounters", JobView,
    };

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
            if (path == "/admin" || path == JobView) Assert.Contains("<title>Pixerve", body);
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
    public async Task Job_view_is_html_that_reads_the_job_by_id_with_the_pages_policy_and_refuses_a_malformed_id()
    {
        using var response = await GetAsync(JobView, Basic("ops", PixerveFixture.AdminToken));
        await HttpAssert.AssertOk(response);
        Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
        var html = await response.Content.ReadAsStringAsync();
        // The job read and retried through its admin endpoints, and the ThumbHash decoder and shared script inlined.
        foreach (var part in new[] { "/admin/jobs/${encodeURIComponent(jobId)}/status", "/admin/jobs/${encodeURIComponent(jobId)}/retry", "function thumbHashToDataURL", "function idElement", "--accent" })
            Assert.Contains(part, html);
        Assert.DoesNotContain("/* include:", html);
        Assert.Equal("no-store", response.Headers.CacheControl?.ToString());
        var policy = string.Join("", response.Headers.GetValues("Content-Security-Policy"));
        Assert.Contains("frame-ancestors 'none'", policy);
        Assert.Contains("connect-src 'self'", policy);
        Assert.Contains("img-src 'self' data:", policy);
        // Nothing lets another origin read it.
        Assert.False(response.Headers.Contains("Access-Control-Allow-Origin"));

        foreach (var bad in new[] { "/admin/jobs/not-a-job", $"/admin/jobs/{new string('A', 64)}", $"/admin/jobs/{new string('0', 63)}" })
        {
            using var refused = await GetAsync(bad, Basic("ops", PixerveFixture.AdminToken));
            var problem = await HttpAssert.AssertProblem(refused, HttpStatusCode.BadRequest);
            Assert.Equal("job_id", problem.GetProperty("field").GetString());
        }
    }

    [Fact]
    public async Task The_job_views_endpoints_are_the_admins_and_challenge_a_browser_for_basic()
    {
        var token = fixture.Token(Job);
        using var upload = await fixture.Http.SendAsync(PixerveFixture.UploadBytes(UniqueBytes.Jpeg("va.jpg"), "va.jpg", token));
        await HttpAssert.AssertOk(upload);
        var hash = (await upload.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("hash").GetString()!;
        var jobId = (await fixture.WaitUntilFinalAsync(hash, token)).GetProperty("job_id").GetString()!;
        var status = $"/admin/jobs/{jobId}/status";

        // The same job as GET /status?job_id= answers the admin.
        using var read = await GetAsync(status, Basic("ops", PixerveFixture.AdminToken));
        await HttpAssert.AssertOk(read);
        var job = await read.Content.ReadFromJsonAsync<JsonElement>();
        var same = await fixture.GetJsonAsync($"/status?job_id={jobId}", PixerveFixture.AdminToken);
        Assert.Equal(same.GetProperty("job_id").GetString(), job.GetProperty("job_id").GetString());
        Assert.Equal(same.GetProperty("history").GetArrayLength(), job.GetProperty("history").GetArrayLength());

        // A browser without credentials is asked for Basic ones (GET /status would ask for a bearer token); a job token,
        // even the job's own, is refused.
        using var none = await GetAsync(status, null);
        await HttpAssert.AssertProblem(none, HttpStatusCode.Unauthorized);
        Assert.Equal("Basic", Assert.Single(none.Headers.WwwAuthenticate).Scheme);
        using var own = await GetAsync(status, new AuthenticationHeaderValue("Bearer", token));
        await HttpAssert.AssertProblem(own, HttpStatusCode.Forbidden);
        using var retryByJobToken = await fixture.Http.SendAsync(fixture.Request(HttpMethod.Post, $"/admin/jobs/{jobId}/retry", token));
        await HttpAssert.AssertProblem(retryByJobToken, HttpStatusCode.Forbidden);

        using var unknown = await GetAsync($"/admin/jobs/{new string('0', 64)}/status", Basic("ops", PixerveFixture.AdminToken));
        await HttpAssert.AssertProblem(unknown, HttpStatusCode.NotFound);
        using var malformed = await GetAsync("/admin/jobs/nope/status", Basic("ops", PixerveFixture.AdminToken));
        Assert.Equal("job_id", (await HttpAssert.AssertProblem(malformed, HttpStatusCode.BadRequest)).GetProperty("field").GetString());

        // Only a failed job is retried: a completed one is a 409, whoever asks.
        using var retry = fixture.Admin(HttpMethod.Post, $"/admin/jobs/{jobId}/retry");
        using var conflict = await fixture.Http.SendAsync(retry);
        await HttpAssert.AssertProblem(conflict, HttpStatusCode.Conflict);
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
