using System.Net;
using System.Net.Http.Json;
using System.Reflection;
using System.Reflection.Emit;
using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Pixerve.Gateway.Admin;
using Pixerve.Testing.Fixtures;

namespace Pixerve.Gateway.Tests;

/// <summary>A job token never becomes the admin: whatever claim it carries, whatever the gateway is configured with.</summary>
[Collection(PixerveCollection.Name)]
public sealed class EscalationTests(PixerveFixture fixture)
{
    private static readonly object Job = new { formats = new { jpg = new { sizes = new[] { new[] { 10 } } } }, directHost = true };

    /// <summary>Every way a JWT could say "admin": the .NET role claim types (the one that worked), OIDC and OAuth spellings.</summary>
    public static TheoryData<string, object> AdminClaims() => new()
    {
        { "http://schemas.microsoft.com/ws/2008/06/identity/claims/role", "admin" },
        { "http://schemas.microsoft.com/ws/2008/06/identity/claims/role", new[] { "admin" } },
        { "role", "admin" },
        { "roles", new[] { "admin" } },
        { "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/name", "admin" },
        { "scope", "admin" },
        { "admin", true },
        { "amr", "Admin" },
    };

    /// <summary>Every admin endpoint, reads and writes; a write with a bad body would be 400 if it got that far.</summary>
    private static readonly (HttpMethod Method, string Path, object? Body)[] AdminEndpoints =
    [
        (HttpMethod.Get, "/admin", null), (HttpMethod.Get, "/admin/stats", null), (HttpMethod.Get, "/dashboard/", null),
        (HttpMethod.Get, "/success/list", null), (HttpMethod.Get, "/failures/list", null),
        (HttpMethod.Get, "/admin/credentials", null), (HttpMethod.Get, "/admin/credentials/any", null),
        (HttpMethod.Post, "/admin/credentials", new { }), (HttpMethod.Delete, "/admin/credentials/any", null),
        (HttpMethod.Post, "/admin/credentials/any/test", null),
        (HttpMethod.Get, $"/admin/jobs/{new string('c', 64)}", null), (HttpMethod.Get, $"/admin/jobs/{new string('c', 64)}/status", null),
        (HttpMethod.Post, $"/admin/jobs/{new string('c', 64)}/retry", null),
    ];

    private static string EscalatingToken(string claimType, object value) =>
        TestTokens.Mint(PixerveFixture.JwtSecret, Job, claims: new Dictionary<string, object> { [claimType] = value });

    [Theory]
    [MemberData(nameof(AdminClaims))]
    public async Task A_job_token_claiming_admin_is_403_on_every_admin_endpoint(string claimType, object value)
    {
        var token = EscalatingToken(claimType, value);
        foreach (var (method, path, body) in AdminEndpoints)
        {
            using var response = await fixture.Http.SendAsync(fixture.Admin(method, path, body, token));
            var problem = await HttpAssert.AssertProblem(response, HttpStatusCode.Forbidden);
            Assert.Contains("job tokens do not grant it", problem.GetProperty("detail").GetString());
        }
    }

    [Theory]
    [MemberData(nameof(AdminClaims))]
    public async Task A_job_token_claiming_admin_sees_no_admin_view_of_jobs_or_health(string claimType, object value)
    {
        var token = EscalatingToken(claimType, value);
        // A hash with a job of someone else's: the admin would get the list of its jobs, a job token a 404.
        var owner = fixture.Token(new { formats = new { jpg = new { sizes = new[] { new[] { 12 } } } }, directHost = true });
        using var upload = await fixture.Http.SendAsync(PixerveFixture.UploadBytes(UniqueBytes.Jpeg("vb.jpg"), "theirs.jpg", owner));
        await HttpAssert.AssertOk(upload);
        var hash = (await upload.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("hash").GetString();

        using var list = await fixture.Http.SendAsync(fixture.Request(HttpMethod.Get, $"/status?hash={hash}", token));
        await HttpAssert.AssertProblem(list, HttpStatusCode.NotFound);
        using var cancel = await fixture.Http.SendAsync(fixture.Request(HttpMethod.Delete, $"/cancel?hash={hash}", token));
        await HttpAssert.AssertProblem(cancel, HttpStatusCode.NotFound);

        using var health = await fixture.Http.SendAsync(fixture.Request(HttpMethod.Get, "/health", token));
        var body = await health.Content.ReadFromJsonAsync<JsonElement>();
        Assert.False(body.TryGetProperty("checks", out _), body.GetRawText());
        Assert.False(body.TryGetProperty("backends", out _), body.GetRawText());
        // The admin token sees them, so the absence above is the job token's, not the endpoint's.
        using var adminHealth = await fixture.Http.SendAsync(fixture.Admin(HttpMethod.Get, "/health"));
        var admin = await adminHealth.Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(admin.TryGetProperty("checks", out _), admin.GetRawText());
    }

    [Fact]
    public async Task On_a_gateway_without_an_admin_token_a_job_token_claiming_admin_is_403_too()
    {
        var (gateway, http) = await fixture.StartGatewayAsync("--Pixerve:AdminToken=");
        await using var _ = gateway;
        using var __ = http;
        foreach (var (claimType, value) in AdminClaims().Select(row => ((string)row[0], row[1])))
        {
            var token = EscalatingToken(claimType, value);
            foreach (var (method, path, body) in AdminEndpoints)
            {
                using var response = await http.SendAsync(fixture.Admin(method, path, body, token));
                await HttpAssert.AssertProblem(response, HttpStatusCode.Forbidden);
            }
        }
    }

    [Fact]
    public async Task Each_admin_action_writes_one_audit_event_naming_who_what_and_target_and_no_secret()
    {
        var (gateway, http) = await fixture.StartGatewayAsync();
        await using var _ = gateway;
        using var __ = http;
        var logs = new CapturedLogs();
        gateway.Services.GetRequiredService<ILoggerFactory>().AddProvider(logs);

        const string password = "audit-secret-password-9f3e1c";
        var key = $"audit-{Guid.NewGuid():N}"[..16];
        var credential = new { key, type = "sftp", data = new { host = "127.0.0.1", port = 1, username = "u", password, accept_any_host_key = true } };
        using (var created = await http.SendAsync(fixture.Admin(HttpMethod.Post, "/admin/credentials", credential)))
            Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        (await http.SendAsync(fixture.Admin(HttpMethod.Post, $"/admin/credentials/{key}/test"))).Dispose();
        (await http.SendAsync(fixture.Admin(HttpMethod.Delete, $"/admin/credentials/{key}"))).Dispose();
        var jobId = new string('c', 64);
        (await http.SendAsync(fixture.Admin(HttpMethod.Get, $"/status?job_id={jobId}"))).Dispose();
        (await http.SendAsync(fixture.Admin(HttpMethod.Get, $"/admin/jobs/{jobId}/status"))).Dispose();
        // A job token's own reads are not admin actions.
        (await http.SendAsync(fixture.Request(HttpMethod.Get, $"/status?job_id={jobId}", fixture.Token(Job)))).Dispose();

        var audit = logs.Events.Where(e => e.Category == AdminAudit.Category).ToList();
        Assert.Equal(["credential created", "credential tested", "credential deleted", "GET /status", $"GET /admin/jobs/{jobId}/status"],
            audit.Select(e => e.Fields["Action"]));
        Assert.Equal([key, key, key, $"job_id={jobId}", $"job_id={jobId}"], audit.Select(e => e.Fields["Target"]));
        Assert.All(audit, e =>
        {
            Assert.Equal(9000, e.EventId.Id);
            Assert.Equal(AdminTokenHandler.SchemeName, e.Fields["Scheme"]);
            Assert.Equal("127.0.0.1", e.Fields["ClientAddress"]);
        });
        Assert.DoesNotContain(logs.Events, e => e.Message.Contains(password) || e.Fields.Values.Any(v => v?.Contains(password) == true));
        Assert.DoesNotContain(logs.Events, e => e.Message.Contains(PixerveFixture.AdminToken));
    }

    /// <summary>
    /// The admin token is compared in constant time, and that is a property of the code, not of its answers (a
    /// plain <c>==</c> gives the same answers): both schemes go through <see cref="AdminSecrets.Matches"/>, which
    /// compares fixed-length SHA-256 digests with <see cref="CryptographicOperations.FixedTimeEquals"/> and never
    /// compares the strings themselves.
    /// </summary>
    [Fact]
    public void The_admin_token_is_compared_in_constant_time_over_fixed_length_digests()
    {
        var matches = typeof(AdminSecrets).GetMethod(nameof(AdminSecrets.Matches))!;
        var called = CalledMethods(matches);
        Assert.Contains(called, m => m.DeclaringType == typeof(CryptographicOperations) && m.Name == nameof(CryptographicOperations.FixedTimeEquals));
        Assert.Contains(called, m => m.DeclaringType == typeof(SHA256) && m.Name == nameof(SHA256.HashData));
        Assert.DoesNotContain(called, m => m.DeclaringType == typeof(string) && m.Name is "op_Equality" or "Equals" or "CompareOrdinal" or "Compare");
        Assert.DoesNotContain(called, m => m.DeclaringType == typeof(MemoryExtensions) && m.Name == "SequenceEqual");

        foreach (var handler in new[] { typeof(AdminTokenHandler), typeof(AdminBasicHandler) })
        {
            var authenticate = handler.GetMethod("HandleAuthenticateAsync", BindingFlags.Instance | BindingFlags.NonPublic)!;
            Assert.Contains(matches, CalledMethods(authenticate));
        }

        // Equal-length digests whatever was sent, and the answers themselves.
        Assert.True(AdminSecrets.Matches("test-admin-token", "test-admin-token"));
        Assert.False(AdminSecrets.Matches("test-admin-tokem", "test-admin-token"));
        Assert.False(AdminSecrets.Matches("", ""));
        Assert.False(AdminSecrets.Matches("x", null));
    }

    /// <summary>The methods a method's IL calls directly (call and callvirt), resolved in its module.</summary>
    private static List<MethodBase> CalledMethods(MethodInfo method)
    {
        var il = method.GetMethodBody()!.GetILAsByteArray()!;
        var called = new List<MethodBase>();
        for (var i = 0; i + 4 < il.Length; i++)
        {
            if (il[i] != OpCodes.Call.Value && il[i] != OpCodes.Callvirt.Value) continue;
            try
            {
                if (method.Module.ResolveMethod(BitConverter.ToInt32(il, i + 1), method.DeclaringType!.GetGenericArguments(), null) is { } target)
                    called.Add(target);
            }
            catch (Exception e) when (e is ArgumentException or BadImageFormatException)
            {
                // Not a method token: the byte was an operand, not an opcode.
            }
        }

        return called;
    }
}
