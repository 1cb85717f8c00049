using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Pixerve.Testing;
using Pixerve.Testing.Fixtures;

namespace Pixerve.Grains.Tests;

/// <summary>
/// The dead-letter queue: a failed job keeps its original, and its owner (or the admin) runs it again with
/// <c>POST /retry</c> once the cause is fixed, up to <c>Pixerve:Jobs:MaxRetries</c> (1 in the test cluster).
/// </summary>
[Collection(PixerveCollection.Name)]
public sealed class RetryTests(PixerveFixture fixture)
{
    [Fact]
    public async Task A_job_failed_on_a_broken_credential_completes_after_the_fix_and_a_retry_with_its_history_and_a_second_webhook()
    {
        var (root, key, blocked) = await BrokenMountAsync();
        try
        {
            await using var receiver = await WebhookReceiver.StartAsync();
            var token = Token(key, receiver.Url, "alice");
            var hash = await fixture.UploadAsync("va.jpg", token);
            var failed = await fixture.WaitUntilFinalAsync(hash, token);
            Assert.Equal("failed", failed.GetProperty("status").GetString());
            var jobId = failed.GetProperty("job_id").GetString()!;
            await Poll.UntilAsync(() => receiver.Received.Count >= 1, TimeSpan.FromSeconds(30), "the failure webhook");
            Assert.Contains(jobId, await ListedAsync("/failures/list"));

            // Nobody else's: a stranger's token finds no such job.
            using (var stranger = await RetryAsync($"job_id={jobId}", Token(key, null, "mallory")))
                await HttpAssert.AssertProblem(stranger, HttpStatusCode.NotFound);

            File.Delete(blocked);
            using (var retried = await RetryAsync($"hash={hash}", token))
            {
                await HttpAssert.AssertOk(retried);
                var answer = await retried.Content.ReadFromJsonAsync<JsonElement>();
                Assert.Equal(1, answer.GetProperty("retries").GetInt32());
                Assert.NotEqual("failed", answer.GetProperty("status").GetString());
                Assert.Equal(JsonValueKind.Null, answer.GetProperty("error").ValueKind);
            }

            var completed = await fixture.WaitUntilFinalAsync(hash, token);
            Assert.Equal("completed", completed.GetProperty("status").GetString());
            var file = Assert.Single(completed.GetProperty("files").EnumerateArray()).GetProperty("name").GetString()!;
            Assert.Single(Directory.EnumerateFiles(Path.Combine(blocked, "images"), file, SearchOption.AllDirectories));
            var history = completed.GetProperty("history").EnumerateArray().ToList();
            Assert.Equal(["failed", "completed"], history.Select(h => h.GetProperty("outcome").GetString()));
            Assert.Equal("storage", history[0].GetProperty("error_category").GetString());
            Assert.Equal(2, completed.GetProperty("attempts").GetInt32());

            // The new outcome is told again, and the dead-letter view no longer holds the job.
            await Poll.UntilAsync(() => receiver.Received.Count >= 2, TimeSpan.FromSeconds(30), "the completion webhook");
            var second = JsonDocument.Parse(receiver.Received.ElementAt(1).Body).RootElement;
            Assert.Contains("completed", second.GetRawText());
            await Poll.UntilAsync(async () => (await ListedAsync("/success/list")).Contains(jobId), TimeSpan.FromSeconds(30), "the success list");
            Assert.DoesNotContain(jobId, await ListedAsync("/failures/list"));

            // Only a failed job is retried.
            using var again = await RetryAsync($"job_id={jobId}", token);
            await HttpAssert.AssertProblem(again, HttpStatusCode.Conflict);
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    [Fact]
    public async Task A_job_retried_MaxRetries_times_is_refused_409_and_the_admin_may_retry_any_job()
    {
        var (root, key, blocked) = await BrokenMountAsync();
        try
        {
            var token = Token(key, null, "bob");
            var hash = await fixture.UploadAsync("vb.jpg", token);
            var jobId = (await fixture.WaitUntilFinalAsync(hash, token)).GetProperty("job_id").GetString()!;

            // The admin retries a job not its own; it fails again (nothing was fixed).
            using (var byAdmin = await RetryAsync($"job_id={jobId}", PixerveFixture.AdminToken))
                await HttpAssert.AssertOk(byAdmin);
            var again = await fixture.WaitUntilFinalAsync(hash, token);
            Assert.Equal("failed", again.GetProperty("status").GetString());
            Assert.Equal(2, again.GetProperty("history").GetArrayLength());

            using var refused = await RetryAsync($"job_id={jobId}", token);
            var problem = await HttpAssert.AssertProblem(refused, HttpStatusCode.Conflict);
            Assert.Contains("MaxRetries", problem.GetProperty("detail").GetString());
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    private string Token(string key, string? callback, string subject) => TestTokens.Mint(PixerveFixture.JwtSecret, new
    {
        formats = new { jpg = new { sizes = new[] { new[] { 64 } } } },
        subDir = "retry",
        storageKeys = new { direct = key },
        completionCallback = callback,
    }, subject: subject);

    /// <summary>
    /// A <c>direct</c> credential whose directory cannot be made: a file stands where the mount should be, until the
    /// test deletes <c>Blocked</c> (the fix).
    /// </summary>
    private async Task<(string Root, string Key, string Blocked)> BrokenMountAsync()
    {
        var root = Directory.CreateTempSubdirectory("pixerve-retry-").FullName;
        var key = $"retry-{Guid.NewGuid():N}";
        var blocked = Path.Combine(root, "mount");
        await File.WriteAllTextAsync(blocked, "");
        await PutCredentialAsync(key, Path.Combine(blocked, "images"));
        return (root, key, blocked);
    }

    private Task<HttpResponseMessage> RetryAsync(string query, string token) =>
        fixture.Http.SendAsync(fixture.Request(HttpMethod.Post, $"/retry?{query}", token));

    private async Task PutCredentialAsync(string key, string path)
    {
        using var response = await fixture.Http.SendAsync(fixture.Admin(HttpMethod.Post, "/admin/credentials", new { key, type = "direct", data = new { path } }));
        await HttpAssert.AssertOk(response);
    }

    private async Task<List<string>> ListedAsync(string list)
    {
        var page = await fixture.GetJsonAsync($"{list}?limit=500", PixerveFixture.AdminToken);
        return page.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("job_id").GetString()!).ToList();
    }
}
