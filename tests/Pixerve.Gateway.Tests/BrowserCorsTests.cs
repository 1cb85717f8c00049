using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using Pixerve.Testing;
using Pixerve.Testing.Fixtures;

namespace Pixerve.Gateway.Tests;

/// <summary>CORS from <c>Pixerve:Cors:AllowedOrigins</c>: pages of an allowed origin use the job endpoints; nothing else answers cross-origin.</summary>
[Collection(PixerveCollection.Name)]
public sealed class BrowserCorsTests(PixerveFixture fixture)
{
    private const string Allowed = "http://127.0.0.1:5173";
    private const string Other = "http://127.0.0.2:5173";

    private static object Job => new { formats = new { png = new { sizes = new[] { new[] { 16 } } } }, directHost = true, subDir = "cors" };

    [Fact]
    public async Task Preflights_and_requests_from_an_allowed_origin_succeed_and_another_origin_gets_no_CORS_headers()
    {
        var (gateway, http) = await fixture.StartGatewayAsync($"--Pixerve:Cors:AllowedOrigins:0={Allowed}");
        await using var _ = gateway;
        using var __ = http;

        foreach (var (path, method) in new[] { ("/uploads", "POST"), ("/uploads/0123456789abcdef0123456789abcdef", "PATCH"), ("/upload", "POST"),
                     ("/status", "GET"), ("/events", "GET"), ("/cancel", "DELETE"), ("/retry", "POST"), ("/files/cors/x.png", "GET") })
        {
            using var preflight = await http.SendAsync(Preflight(path, method, Allowed, "authorization,tus-resumable,upload-offset,content-type"));
            Assert.True(preflight.StatusCode == HttpStatusCode.NoContent, $"{method} {path}: {preflight.StatusCode}");
            Assert.Equal(Allowed, preflight.Headers.GetValues("Access-Control-Allow-Origin").Single());
            Assert.Contains(method, preflight.Headers.GetValues("Access-Control-Allow-Methods").Single());
            Assert.Contains("upload-offset", preflight.Headers.GetValues("Access-Control-Allow-Headers").Single(), StringComparison.OrdinalIgnoreCase);

            using var refused = await http.SendAsync(Preflight(path, method, Other, "authorization"));
            Assert.False(refused.Headers.Contains("Access-Control-Allow-Origin"), $"{method} {path} answered {Other}");
        }

        // The real requests: an upload's answer and a job's status carry the origin and expose the headers a page reads.
        var token = fixture.Token(Job);
        var upload = PixerveFixture.UploadBytes(UniqueBytes.Png(), "a.png", token);
        upload.Headers.Add("Origin", Allowed);
        using var uploaded = await http.SendAsync(upload);
        await HttpAssert.AssertOk(uploaded);
        Assert.Equal(Allowed, uploaded.Headers.GetValues("Access-Control-Allow-Origin").Single());

        var create = fixture.Request(HttpMethod.Post, "/uploads", token);
        create.Headers.Add("Origin", Allowed);
        create.Headers.Add("Tus-Resumable", "1.0.0");
        create.Headers.Add("Upload-Length", "100");
        using var created = await http.SendAsync(create);
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var exposed = created.Headers.GetValues("Access-Control-Expose-Headers").Single();
        foreach (var name in new[] { "Location", "Upload-Offset", "Upload-Expires", "Retry-After", "ETag", "Pixerve-Job-Id" })
            Assert.Contains(name, exposed, StringComparison.OrdinalIgnoreCase);

        // A refusal is readable too: the page shows the problem's detail, not a CORS error.
        var anonymous = new HttpRequestMessage(HttpMethod.Get, "/status?hash=" + new string('a', 64));
        anonymous.Headers.Add("Origin", Allowed);
        using var unauthorized = await http.SendAsync(anonymous);
        Assert.Equal(HttpStatusCode.Unauthorized, unauthorized.StatusCode);
        Assert.Equal(Allowed, unauthorized.Headers.GetValues("Access-Control-Allow-Origin").Single());

        var other = fixture.Request(HttpMethod.Get, "/status?hash=" + new string('a', 64), token);
        other.Headers.Add("Origin", Other);
        using var otherAnswer = await http.SendAsync(other);
        Assert.False(otherAnswer.Headers.Contains("Access-Control-Allow-Origin"));
    }

    [Fact]
    public async Task Admin_endpoints_never_answer_cross_origin()
    {
        var (gateway, http) = await fixture.StartGatewayAsync($"--Pixerve:Cors:AllowedOrigins:0={Allowed}");
        await using var _ = gateway;
        using var __ = http;

        foreach (var (path, method) in new[] { ("/admin/credentials", "POST"), ("/admin", "GET"), ("/success/list", "GET"), ("/failures/list", "GET"), ("/admin/stats", "GET") })
        {
            using var preflight = await http.SendAsync(Preflight(path, method, Allowed, "authorization,content-type"));
            Assert.False(preflight.Headers.Contains("Access-Control-Allow-Origin"), $"{method} {path} answered a preflight");
            var request = fixture.Admin(new HttpMethod(method), path);
            request.Headers.Add("Origin", Allowed);
            using var answer = await http.SendAsync(request);
            Assert.False(answer.Headers.Contains("Access-Control-Allow-Origin"), $"{method} {path} answered cross-origin");
        }

        // A job endpoint answers the admin token, but not to another origin's page.
        // Bytes of this test alone: the admin asking by hash alone needs the hash to name one job.
        using var uploaded = await fixture.Http.SendAsync(PixerveFixture.UploadBytes(UniqueBytes.Png(), "admin.png", fixture.Token(Job)));
        await HttpAssert.AssertOk(uploaded);
        var hash = (await uploaded.Content.ReadFromJsonAsync<System.Text.Json.JsonElement>()).GetProperty("hash").GetString();
        foreach (var path in new[] { $"/status?hash={hash}", $"/events?hash={hash}" })
        {
            var asAdmin = fixture.Admin(HttpMethod.Get, path);
            asAdmin.Headers.Add("Origin", Allowed);
            using var answer = await http.SendAsync(asAdmin, HttpCompletionOption.ResponseHeadersRead);
            // A stream may be refused (the admin token is one subject with a few streams, other tests hold some): refused or not, not cross-origin.
            Assert.True(answer.StatusCode is HttpStatusCode.OK or HttpStatusCode.TooManyRequests, $"{path}: {answer.StatusCode}");
            Assert.False(answer.Headers.Contains("Access-Control-Allow-Origin"), $"{path} answered the admin token cross-origin ({answer.StatusCode})");
        }
    }

    [Fact]
    public async Task Without_allowed_origins_nothing_answers_cross_origin()
    {
        using var preflight = await fixture.Http.SendAsync(Preflight("/upload", "POST", Allowed, "authorization"));
        Assert.False(preflight.Headers.Contains("Access-Control-Allow-Origin"));
        Assert.NotEqual(HttpStatusCode.NoContent, preflight.StatusCode);
    }

    [Fact]
    public async Task A_wildcard_or_a_path_is_refused_at_start_naming_the_key()
    {
        foreach (var origin in new[] { "*", "http://127.0.0.1:5173/app", "ftp://127.0.0.1" })
        {
            var error = await Assert.ThrowsAnyAsync<Exception>(() => fixture.StartGatewayAsync($"--Pixerve:Cors:AllowedOrigins:0={origin}"));
            Assert.Contains("Pixerve:Cors:AllowedOrigins", error.ToString());
        }
    }

    private static HttpRequestMessage Preflight(string path, string method, string origin, string headers)
    {
        var request = new HttpRequestMessage(HttpMethod.Options, path);
        request.Headers.Add("Origin", origin);
        request.Headers.Add("Access-Control-Request-Method", method);
        request.Headers.Add("Access-Control-Request-Headers", headers);
        return request;
    }
}
