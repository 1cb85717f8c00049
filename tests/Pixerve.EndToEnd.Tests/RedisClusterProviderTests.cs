using Pixerve.ServiceDefaults;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Pixerve.Testing;
using Pixerve.Testing.Fixtures;
using StackExchange.Redis;

namespace Pixerve.EndToEnd.Tests;

/// <summary>
/// The end-to-end core on <c>Pixerve:Cluster:Provider = redis</c>: two silo processes and a gateway that find each
/// other in Redis and keep job records, lists and reminders there, with uploads staged in a shared folder
/// (<c>Pixerve:Staging:Provider = filesystem</c>): the "redis + filesystem" deployment. Each scenario also checks
/// that its records are in Redis, not in the storage account.
/// </summary>
[Collection(ProcessClusterCollection.Name)]
public sealed class RedisClusterProviderTests(RedisClusterProviderTests.Cluster cluster) : IClassFixture<RedisClusterProviderTests.Cluster>
{
    private const string AdminToken = "redis-provider-admin-token-0123456789abcdefgh";

    /// <summary>One cluster for the class, on the provider <see cref="StartStoreAsync"/> starts.</summary>
    public sealed class Cluster : IAsyncLifetime
    {
        public RedisServer Redis { get; private set; } = null!;
        public ProcessCluster Processes { get; private set; } = null!;
        public HttpClient Http => Processes.Http;
        public WebhookReceiver Webhooks { get; private set; } = null!;

        /// <summary>The shared staging folder of the silos and the gateway.</summary>
        public DirectoryInfo Staging { get; } = Directory.CreateTempSubdirectory("pixerve-redis-staging-");

        /// <summary>The provider hook: the store to start and the settings that put a cluster on it.</summary>
        public static async Task<(RedisServer Store, IReadOnlyDictionary<string, string> Settings)> StartStoreAsync()
        {
            var redis = await RedisServer.StartAsync(password: "redis-provider-test-password-0123456789");
            return (redis, redis.ClusterSettings);
        }

        public async Task InitializeAsync()
        {
            (Redis, var provider) = await StartStoreAsync();
            Webhooks = await WebhookReceiver.StartAsync();
            Processes = await ProcessCluster.StartAsync(2, PixerveFixture.JwtSecret, new Dictionary<string, string>
            {
                ["Pixerve:AdminToken"] = AdminToken,
                ["Pixerve:Jobs:Concurrency"] = "1",
                ["Pixerve:Webhooks:AllowPrivateNetworks"] = "true",
                ["Pixerve:Staging:Provider"] = "filesystem",
                ["Pixerve:Staging:Filesystem:Root"] = Staging.FullName,
            }, provider: ClusterProvider.Redis, store: provider);
        }

        public async Task DisposeAsync()
        {
            if (Processes is not null) await Processes.DisposeAsync();
            if (Webhooks is not null) await Webhooks.DisposeAsync();
            if (Redis is not null) await Redis.DisposeAsync();
            Staging.Delete(recursive: true);
        }
    }

    private static string Token(string subDir, string sub = "redis-user", string? callback = null, object? storageKeys = null) =>
        TestTokens.Mint(PixerveFixture.JwtSecret, JobClaim(subDir, callback, storageKeys), expires: DateTimeOffset.UtcNow.AddHours(1), subject: sub);

    private static Dictionary<string, object> JobClaim(string subDir, string? callback, object? storageKeys)
    {
        var claim = new Dictionary<string, object>
        {
            ["formats"] = new { jpg = new { sizes = new[] { new[] { 200 } } } },
            ["directHost"] = true,
            ["subDir"] = subDir,
        };
        if (callback is not null) claim["completionCallback"] = callback;
        if (storageKeys is not null) claim["storageKeys"] = storageKeys;
        return claim;
    }

    private async Task<string> UploadAsync(byte[] bytes, string token)
    {
        using var response = await cluster.Http.SendAsync(PixerveFixture.UploadBytes(bytes, "photo.jpg", token));
        await HttpAssert.AssertOk(response);
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("hash").GetString()!;
    }

    private async Task<HttpResponseMessage> SendAsync(HttpMethod method, string path, string token, object? body = null)
    {
        var request = new HttpRequestMessage(method, path);
        request.Headers.Authorization = new("Bearer", token);
        if (body is not null) request.Content = JsonContent.Create(body);
        return await cluster.Http.SendAsync(request);
    }

    private async Task<JsonElement> GetJsonAsync(string path, string token)
    {
        using var response = await SendAsync(HttpMethod.Get, path, token);
        await HttpAssert.AssertOk(response);
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    private async Task<JsonElement> WaitUntilFinalAsync(string hash, string token)
    {
        JsonElement status = default;
        await Poll.UntilAsync(async () =>
        {
            status = await GetJsonAsync($"/status?hash={hash}", token);
            return status.GetProperty("status").GetString() is "completed" or "failed" or "cancelled";
        }, TimeSpan.FromMinutes(2), $"job {hash} to finish");
        return status;
    }

    private async Task<List<string>> ListedAsync(string list) =>
        (await GetJsonAsync($"{list}?limit=500", AdminToken)).GetProperty("items").EnumerateArray()
            .Select(i => i.GetProperty("job_id").GetString()!).ToList();

    /// <summary>A finished job is listed by the job's outbox, just after its record says so.</summary>
    private async Task WaitUntilListedAsync(string list, string jobId) =>
        await Poll.UntilAsync(async () => (await ListedAsync(list)).Contains(jobId), TimeSpan.FromSeconds(30), $"{jobId} in {list}");

    /// <summary>The Redis keys that match <paramref name="pattern"/>, read with a client of the test's own.</summary>
    private async Task<List<string>> RedisKeysAsync(string pattern)
    {
        await using var redis = await ConnectionMultiplexer.ConnectAsync(cluster.Redis.ConnectionString);
        var server = redis.GetServer(redis.GetEndPoints()[0]);
        return server.Keys(pattern: pattern).Select(k => k.ToString()).ToList();
    }

    [Fact]
    public async Task An_upload_completes_is_served_recorded_listed_and_its_webhook_delivered_with_its_records_in_Redis()
    {
        var subDir = $"redis/{Guid.NewGuid():N}";
        var token = Token(subDir, callback: cluster.Webhooks.Url);
        var hash = await UploadAsync(UniqueBytes.Jpeg("va.jpg"), token);

        var status = await WaitUntilFinalAsync(hash, token);
        Assert.Equal("completed", status.GetProperty("status").GetString());
        var jobId = status.GetProperty("job_id").GetString()!;
        var name = status.GetProperty("expected_files").EnumerateArray().First().GetString()!;
        // Staged in the shared folder (its objects live under objects/), not in the storage account.
        Assert.True(Directory.Exists(Path.Combine(cluster.Staging.FullName, "objects")), "nothing was ever staged in the folder");
        using (var served = await cluster.Http.GetAsync($"/files/{subDir}/{name}"))
        {
            Assert.Equal(HttpStatusCode.OK, served.StatusCode);
            var bytes = await served.Content.ReadAsByteArrayAsync();
            Assert.True(bytes.Length > 100 && bytes[0] == 0xFF && bytes[1] == 0xD8, "a JPEG is served");
        }

        var success = await GetJsonAsync($"/success?hash={hash}", token);
        Assert.Equal("success", success.GetProperty("status").GetString());
        await WaitUntilListedAsync("/success/list", jobId);
        Assert.DoesNotContain(jobId, await ListedAsync("/failures/list"));

        await Poll.UntilAsync(() => cluster.Webhooks.Received.Any(r => JsonDocument.Parse(r.Body).RootElement.GetProperty("job_id").GetString() == jobId),
            TimeSpan.FromMinutes(1), "the job's webhook");
        await Poll.UntilAsync(async () => (await GetJsonAsync($"/status?hash={hash}", token)).GetProperty("webhook").GetProperty("status").GetString() == "delivered",
            TimeSpan.FromMinutes(1), "the webhook to be recorded as delivered");

        // The records are Orleans' Redis hashes: {ServiceId}/state/{grain type}/{grain key}/{state name}.
        var state = await RedisKeysAsync("pixerve/state/*");
        Assert.Contains(state, k => k.Contains(jobId, StringComparison.Ordinal) && k.EndsWith("/job", StringComparison.Ordinal));
        Assert.NotEmpty(await RedisKeysAsync("pixerve/members/*"));
    }

    [Fact]
    public async Task Another_subjects_token_cannot_see_or_cancel_the_job()
    {
        var subDir = $"redis/{Guid.NewGuid():N}";
        var token = Token(subDir);
        var hash = await UploadAsync(UniqueBytes.Jpeg("va.jpg"), token);
        var jobId = (await GetJsonAsync($"/status?hash={hash}", token)).GetProperty("job_id").GetString()!;

        var stranger = Token(subDir, sub: "someone-else");
        foreach (var (method, path) in new[]
                 {
                     (HttpMethod.Get, $"/status?hash={hash}"), (HttpMethod.Get, $"/status?job_id={jobId}"),
                     (HttpMethod.Delete, $"/cancel?job_id={jobId}"), (HttpMethod.Get, $"/success?job_id={jobId}"),
                 })
        {
            using var response = await SendAsync(method, path, stranger);
            await HttpAssert.AssertProblem(response, HttpStatusCode.NotFound);
        }

        Assert.Equal("completed", (await WaitUntilFinalAsync(hash, token)).GetProperty("status").GetString());
    }

    [Fact]
    public async Task A_pending_job_is_cancelled_and_never_runs()
    {
        var subDir = $"redis/{Guid.NewGuid():N}";
        var token = Token(subDir);
        // One conversion per silo: big images ahead of it keep both busy, so the next upload waits its turn.
        var heavy = TestTokens.Mint(PixerveFixture.JwtSecret,
            new { formats = new { avif = new { sizes = new[] { new[] { 3000 }, new[] { 2000 } } } }, directHost = true, subDir = $"{subDir}-heavy" },
            expires: DateTimeOffset.UtcNow.AddHours(1), subject: "redis-user");
        for (var i = 0; i < 4; i++) await UploadAsync(UniqueBytes.Jpeg("art-5120x2880.jpg"), heavy);

        string? cancelled = null;
        for (var attempt = 0; attempt < 5 && cancelled is null; attempt++)
        {
            var hash = await UploadAsync(UniqueBytes.Jpeg("va.jpg"), token);
            using var cancel = await SendAsync(HttpMethod.Delete, $"/cancel?hash={hash}", token);
            if (cancel.StatusCode == HttpStatusCode.Conflict) continue; // it started already: try another
            await HttpAssert.AssertOk(cancel);
            Assert.Equal("cancelled", (await cancel.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("status").GetString());
            cancelled = hash;
        }

        Assert.NotNull(cancelled);
        using (var again = await SendAsync(HttpMethod.Delete, $"/cancel?hash={cancelled}", token))
            await HttpAssert.AssertProblem(again, HttpStatusCode.Conflict);
        var status = await GetJsonAsync($"/status?hash={cancelled}", token);
        Assert.Equal("cancelled", status.GetProperty("status").GetString());
        Assert.Equal(0, status.GetProperty("attempts").GetInt32());
        var jobId = status.GetProperty("job_id").GetString()!;
        Assert.DoesNotContain(jobId, await ListedAsync("/success/list"));
        Assert.DoesNotContain(jobId, await ListedAsync("/failures/list"));
    }

    [Fact]
    public async Task A_failed_job_is_recorded_listed_and_its_webhook_delivered()
    {
        var root = Directory.CreateTempSubdirectory("pixerve-redis-missing-mount-").FullName;
        try
        {
            // A file where the credential's directory should be: the store fails, so the job does.
            await File.WriteAllTextAsync(Path.Combine(root, "not-mounted"), "");
            var key = $"missing-{Guid.NewGuid():N}"[..20];
            using (var put = await SendAsync(HttpMethod.Post, "/admin/credentials", AdminToken,
                       new { key, type = "direct", data = new { path = Path.Combine(root, "not-mounted", "mount-point") } }))
                Assert.Equal(HttpStatusCode.Created, put.StatusCode);

            var subDir = $"redis/{Guid.NewGuid():N}";
            var token = Token(subDir, callback: cluster.Webhooks.Url, storageKeys: new Dictionary<string, string> { ["direct"] = key });
            var hash = await UploadAsync(UniqueBytes.Jpeg("va.jpg"), token);
            var status = await WaitUntilFinalAsync(hash, token);
            Assert.Equal("failed", status.GetProperty("status").GetString());
            var jobId = status.GetProperty("job_id").GetString()!;

            var failure = await GetJsonAsync($"/failures?hash={hash}", token);
            Assert.Equal("failed", failure.GetProperty("status").GetString());
            Assert.Equal("not_found", (await GetJsonAsync($"/success?hash={hash}", token)).GetProperty("status").GetString());
            await WaitUntilListedAsync("/failures/list", jobId);
            Assert.DoesNotContain(jobId, await ListedAsync("/success/list"));
            await Poll.UntilAsync(() => cluster.Webhooks.Received.Any(r => JsonDocument.Parse(r.Body).RootElement.GetProperty("job_id").GetString() == jobId),
                TimeSpan.FromMinutes(1), "the failed job's webhook");
            Assert.Contains(await RedisKeysAsync("pixerve/state/*"), k => k.Contains(jobId, StringComparison.Ordinal));
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }
}
