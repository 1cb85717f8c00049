using System.Text.Json;
using System.Text.RegularExpressions;
using Pixerve.Testing;
using Pixerve.Testing.Fixtures;

namespace Pixerve.Grains.Tests;

/// <summary>
/// What a job token holder reads of a failure: a category, a short message and a correlation id, never a path on a
/// silo, a host, a port or a user name (in <c>/status</c>, <c>/failures</c>, <c>/events</c> and the webhook); the admin
/// token reads the detail too, and the silo log line with the detail carries the same correlation id.
/// </summary>
[Collection(PixerveCollection.Name)]
public sealed partial class SafeErrorTests(PixerveFixture fixture)
{
    [Fact]
    public async Task A_direct_credential_on_a_missing_path_fails_without_the_path_for_the_token_holder_and_with_it_for_the_admin()
    {
        var root = Directory.CreateTempSubdirectory("pixerve-missing-mount-").FullName;
        try
        {
            // A file where the mount should be: its directory can never be made, as with a mount missing on a silo.
            await File.WriteAllTextAsync(Path.Combine(root, "not-mounted"), "");
            var path = Path.Combine(root, "not-mounted", "mount-point");
            await PutCredentialAsync("missing-mount", "direct", new { path });
            await using var receiver = await WebhookReceiver.StartAsync();
            var (hash, token) = await UploadAsync(new { direct = "missing-mount" }, receiver.Url);

            var status = await fixture.WaitUntilFinalAsync(hash, token);
            Assert.Equal("failed", status.GetProperty("status").GetString());
            var jobId = status.GetProperty("job_id").GetString()!;
            var errorId = AssertSafe(status, "storage", PathParts(path));
            Assert.Contains("direct 'missing-mount'", status.GetProperty("error").GetString());

            var failure = await fixture.GetJsonAsync($"/failures?hash={hash}", token);
            Assert.Equal(errorId, AssertSafe(failure, "storage", PathParts(path)));
            AssertAbsent(await EventsAsync(hash, token), PathParts(path));

            await Poll.UntilAsync(() => !receiver.Received.IsEmpty, TimeSpan.FromSeconds(30), "the failure webhook");
            var payload = JsonDocument.Parse(receiver.Received.Single().Body).RootElement;
            Assert.Equal(errorId, AssertSafe(payload, "storage", PathParts(path)));

            // The admin token reads the same error with its detail, which names the path.
            var adminStatus = await fixture.GetJsonAsync($"/status?job_id={jobId}", PixerveFixture.AdminToken);
            Assert.Equal(errorId, adminStatus.GetProperty("error_id").GetString());
            Assert.Contains(path, adminStatus.GetProperty("error_detail").GetString());
            var adminFailure = await fixture.GetJsonAsync($"/failures?job_id={jobId}", PixerveFixture.AdminToken);
            Assert.Contains(path, adminFailure.GetProperty("error_detail").GetString());
            var listed = (await fixture.GetJsonAsync("/failures/list?limit=500", PixerveFixture.AdminToken)).GetProperty("items")
                .EnumerateArray().Single(i => i.GetProperty("job_id").GetString() == jobId);
            Assert.Equal(errorId, listed.GetProperty("error_id").GetString());
            Assert.Contains(path, listed.GetProperty("error_detail").GetString());

            // An operator given the id finds the detail in the silo's log.
            await Poll.UntilAsync(() => SiloLogLines().Any(l => l.Contains(errorId) && l.Contains(path)), TimeSpan.FromSeconds(10),
                $"a silo log line with {errorId} and the path");
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    [Fact]
    public async Task An_sftp_login_refused_names_no_user_host_or_port_to_the_token_holder_but_does_to_the_admin()
    {
        var sshd = await fixture.SshdAsync();
        // This sshd takes keys only: a password is refused at login.
        await PutCredentialAsync("sftp-refused-login", "sftp", new
        {
            host = "127.0.0.1",
            port = sshd.Port,
            username = sshd.User,
            password = "not-accepted-here",
            host_key_fingerprint = sshd.HostKeyFingerprint,
        });
        var (hash, token) = await UploadAsync(new { sftp = "sftp-refused-login" });

        var status = await fixture.WaitUntilFinalAsync(hash, token);
        Assert.Equal("failed", status.GetProperty("status").GetString());
        string[] endpoint = [sshd.User, "127.0.0.1", $":{sshd.Port}", "sftp://"];
        var errorId = AssertSafe(status, "storage", []);
        AssertAbsent(ErrorText(status), endpoint);
        Assert.Contains("sftp 'sftp-refused-login'", status.GetProperty("error").GetString());
        Assert.Contains("refused the login", status.GetProperty("error").GetString());
        var failure = await fixture.GetJsonAsync($"/failures?hash={hash}", token);
        Assert.Equal(errorId, AssertSafe(failure, "storage", []));
        AssertAbsent(ErrorText(failure), endpoint);

        var jobId = status.GetProperty("job_id").GetString()!;
        var admin = await fixture.GetJsonAsync($"/status?job_id={jobId}", PixerveFixture.AdminToken);
        Assert.Contains($"{sshd.User}@127.0.0.1:{sshd.Port}", admin.GetProperty("error_detail").GetString());
    }

    [Fact]
    public async Task A_direct_credential_without_a_base_url_answers_locations_relative_to_its_directory()
    {
        var root = Directory.CreateTempSubdirectory("pixerve-no-base-url-").FullName;
        try
        {
            await PutCredentialAsync("no-base-url", "direct", new { path = root });
            var subDir = $"relative/{Guid.NewGuid():N}";
            var token = fixture.Token(new { formats = new { jpg = new { sizes = new[] { new[] { 40 } } } }, subDir, storageKeys = new { direct = "no-base-url" } });
            var hash = await fixture.UploadAsync("va.webp", token);

            var status = await fixture.WaitUntilFinalAsync(hash, token);
            Assert.Equal("completed", status.GetProperty("status").GetString());
            var file = Assert.Single(status.GetProperty("files").EnumerateArray());
            var name = file.GetProperty("name").GetString()!;
            Assert.Equal($"{subDir}/{name}", file.GetProperty("location").GetString());
            Assert.True(File.Exists(Path.Combine(root, subDir, name)));
            AssertAbsent(status.GetRawText(), PathParts(root));
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    /// <summary>The error fields of a job token's answer: a category, a correlation id, no detail; returns the id.</summary>
    private static string AssertSafe(JsonElement answer, string category, IEnumerable<string> absent)
    {
        Assert.Equal(category, answer.GetProperty("error_category").GetString());
        var id = answer.GetProperty("error_id").GetString()!;
        Assert.Matches(CorrelationId(), id);
        Assert.False(answer.TryGetProperty("error_detail", out _), "a job token is shown the error's detail");
        AssertAbsent(answer.GetRawText(), absent);
        return id;
    }

    private static void AssertAbsent(string text, IEnumerable<string> parts)
    {
        foreach (var part in parts) Assert.DoesNotContain(part, text);
    }

    private static string ErrorText(JsonElement answer) =>
        $"{answer.GetProperty("error").GetString()} {answer.GetProperty("error_category").GetString()} {answer.GetProperty("error_id").GetString()}";

    /// <summary>The path itself and each of its segments as <c>/name</c>, as an error quoting any part of it would.</summary>
    private static IEnumerable<string> PathParts(string path) =>
        path.Split('/', StringSplitOptions.RemoveEmptyEntries).Select(segment => "/" + segment).Append(path);

    private async Task<(string Hash, string Token)> UploadAsync(object storageKeys, string? callback = null)
    {
        var token = fixture.Token(new
        {
            formats = new { jpg = new { sizes = new[] { new[] { 64 } } } },
            subDir = $"safe/{Guid.NewGuid():N}",
            storageKeys,
            completionCallback = callback,
        });
        return (await fixture.UploadAsync("va.jpg", token), token);
    }

    /// <summary>The whole <c>/events</c> stream of a final job: the progress it made, then its final state.</summary>
    private async Task<string> EventsAsync(string hash, string token)
    {
        using var response = await fixture.Http.SendAsync(fixture.Request(HttpMethod.Get, $"/events?hash={hash}", token));
        await HttpAssert.AssertOk(response);
        var text = await response.Content.ReadAsStringAsync();
        Assert.Contains("event: failed", text);
        Assert.Contains("\"error_id\"", text);
        return text;
    }

    private async Task PutCredentialAsync(string key, string type, object data)
    {
        using var response = await fixture.Http.SendAsync(fixture.Admin(HttpMethod.Post, "/admin/credentials", new { key, type, data }));
        await HttpAssert.AssertOk(response);
    }

    private IEnumerable<string> SiloLogLines() => fixture.Cluster.Silos.SelectMany(silo => fixture.SiloService<SiloLogs>(silo).Lines);

    [GeneratedRegex("^[0-9a-f]{12}$")]
    private static partial Regex CorrelationId();
}
