using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Azure.Storage.Blobs;
using Pixerve.ServiceDefaults;
using Pixerve.Staging;
using Pixerve.Staging.AzureBlob;
using Pixerve.Staging.Filesystem;
using Pixerve.Staging.S3;
using Pixerve.Testing;
using Pixerve.Testing.Fixtures;

namespace Pixerve.EndToEnd.Tests;

/// <summary>
/// The end-to-end core on each deployment the cluster providers make (membership, grain state and reminders in the
/// provider's store, uploads in its staging store): <c>azure</c> with <c>azure-blob</c>, <c>postgres</c> with <c>s3</c>,
/// <c>redis</c> with <c>filesystem</c>. An upload completes and is served; another client's token does not see the
/// job; a pending job is cancelled; success and failure records and lists, the failed job's original kept in the
/// configured staging store and nowhere else; the retention reminder in the provider's store; the webhook outbox
/// delivers after a refused first try. One cluster of two silo processes per deployment (the subclasses below).
/// </summary>
[Collection(ProcessClusterCollection.Name)]
public abstract class ClusterProviderCoreTests(ProviderCluster providerCluster)
{
    protected ProcessCluster Cluster => providerCluster.Cluster;
    private HttpClient Http => Cluster.Http;

    protected static string Unique() => Guid.NewGuid().ToString("N")[..10];

    protected static string Token(string subDir, string? format = "jpg", int size = 200, object? extra = null, string? subject = null)
    {
        var job = new Dictionary<string, object> { ["directHost"] = true, ["subDir"] = subDir };
        if (format is not null) job["formats"] = new Dictionary<string, object> { [format] = new { sizes = new[] { new[] { size } } } };
        foreach (var property in extra?.GetType().GetProperties() ?? []) job[property.Name] = property.GetValue(extra)!;
        return TestTokens.Mint(PixerveFixture.JwtSecret, job, expires: DateTimeOffset.UtcNow.AddHours(1), subject: subject);
    }

    protected async Task<JsonElement> UploadAsync(byte[] bytes, string token, string name = "photo.jpg")
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/upload")
        {
            Content = new MultipartFormDataContent { { new ByteArrayContent(bytes), "file", name } },
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        using var response = await Http.SendAsync(request);
        await HttpAssert.AssertOk(response);
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    private async Task<HttpResponseMessage> SendAsync(HttpMethod method, string path, string token)
    {
        using var request = new HttpRequestMessage(method, path);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return await Http.SendAsync(request);
    }

    private async Task<JsonElement> GetJsonAsync(string path, string token)
    {
        using var response = await SendAsync(HttpMethod.Get, path, token);
        await HttpAssert.AssertOk(response);
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    protected async Task<JsonElement> WaitUntilFinalAsync(string hash, string token, Func<JsonElement, bool>? also = null)
    {
        JsonElement last = default;
        await Poll.UntilAsync(async () =>
        {
            using var response = await SendAsync(HttpMethod.Get, $"/status?hash={hash}", token);
            if (!response.IsSuccessStatusCode) return false;
            last = await response.Content.ReadFromJsonAsync<JsonElement>();
            return last.GetProperty("status").GetString() is "completed" or "failed" or "cancelled" && (also?.Invoke(last) ?? true);
        }, TimeSpan.FromMinutes(2), $"job {hash} to be final");
        return last;
    }

    private async Task<HashSet<string>> ListedAsync(string list)
    {
        var listed = new HashSet<string>();
        string? cursor = null;
        do
        {
            var page = await GetJsonAsync($"/{list}/list?limit=500{(cursor is null ? "" : $"&cursor={cursor}")}", ClusterFailoverTests.AdminToken);
            foreach (var item in page.GetProperty("items").EnumerateArray()) listed.Add(item.GetProperty("job_id").GetString()!);
            cursor = page.GetProperty("next_cursor").GetString();
        } while (cursor is not null);
        return listed;
    }

    [Fact]
    public async Task An_upload_completes_is_served_and_only_its_owner_sees_it()
    {
        var subDir = $"core/{Unique()}";
        var token = Token(subDir);
        var answer = await UploadAsync(UniqueBytes.Jpeg("va.jpg"), token);
        var hash = answer.GetProperty("hash").GetString()!;
        var final = await WaitUntilFinalAsync(hash, token);
        Assert.Equal("completed", final.GetProperty("status").GetString());

        var file = Assert.Single(final.GetProperty("files").EnumerateArray());
        using var served = await Http.GetAsync(file.GetProperty("location").GetString());
        await HttpAssert.AssertOk(served);
        Assert.Equal("image/jpeg", served.Content.Headers.ContentType?.MediaType);
        Assert.True((await served.Content.ReadAsByteArrayAsync()).Length > 100);

        // Tenancy: the same hash under another client's claims is not this job; its token finds nothing.
        using var other = await SendAsync(HttpMethod.Get, $"/status?hash={hash}", Token($"core/{Unique()}", subject: "another-client"));
        await HttpAssert.AssertProblem(other, HttpStatusCode.NotFound);
        using var otherRecord = await SendAsync(HttpMethod.Get, $"/success?hash={hash}", Token($"core/{Unique()}", subject: "another-client"));
        await HttpAssert.AssertProblem(otherRecord, HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task A_pending_job_is_cancelled_and_never_runs()
    {
        var subDir = $"core/{Unique()}";
        // Slow jobs first (about a second each on one worker per silo), then the one to cancel, lowest priority.
        var busy = Token(subDir, "png", 1920, new { priority = 10 });
        for (var i = 0; i < 6; i++) await UploadAsync(UniqueBytes.Jpeg("photo-1920x1280-canon.jpg"), busy);
        var token = Token(subDir, "jpg", 100, new { priority = -10 });
        var hash = (await UploadAsync(UniqueBytes.Jpeg("va.jpg"), token)).GetProperty("hash").GetString()!;

        using var cancel = await SendAsync(HttpMethod.Delete, $"/cancel?hash={hash}", token);
        await HttpAssert.AssertOk(cancel);
        var cancelled = await cancel.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("cancelled", cancelled.GetProperty("status").GetString());
        var final = await WaitUntilFinalAsync(hash, token);
        Assert.Equal("cancelled", final.GetProperty("status").GetString());
        Assert.Equal(0, final.GetProperty("files").GetArrayLength());
        using var again = await SendAsync(HttpMethod.Delete, $"/cancel?hash={hash}", token);
        await HttpAssert.AssertProblem(again, HttpStatusCode.Conflict);
    }

    [Fact]
    public async Task Success_and_failure_records_are_kept_and_listed()
    {
        var subDir = $"core/{Unique()}";
        var token = Token(subDir, "webp", 120);
        var good = (await UploadAsync(UniqueBytes.Jpeg("va.jpg"), token)).GetProperty("hash").GetString()!;
        // A GIF signature followed by HTML: sniffed as GIF, fails to decode on the silo.
        var badToken = Token(subDir, format: null, extra: new { keepOriginal = true });
        var bad = (await UploadAsync([.. "GIF89a"u8.ToArray(), .. "\x01\x00\x01\x00<html>not an image</html>"u8.ToArray(), .. Guid.NewGuid().ToByteArray()],
            badToken, "broken.gif")).GetProperty("hash").GetString()!;

        var completed = await WaitUntilFinalAsync(good, token);
        var failed = await WaitUntilFinalAsync(bad, badToken);
        Assert.Equal("completed", completed.GetProperty("status").GetString());
        Assert.Equal("failed", failed.GetProperty("status").GetString());

        var success = await GetJsonAsync($"/success?hash={good}", token);
        Assert.Equal(completed.GetProperty("job_id").GetString(), success.GetProperty("job_id").GetString());
        var failure = await GetJsonAsync($"/failures?hash={bad}", badToken);
        Assert.Equal(failed.GetProperty("job_id").GetString(), failure.GetProperty("job_id").GetString());

        Assert.Contains(completed.GetProperty("job_id").GetString()!, await ListedAsync("success"));
        Assert.Contains(failed.GetProperty("job_id").GetString()!, await ListedAsync("failures"));

        // A failed job keeps its original for a retry: in the staging store the deployment chose, and (off azure-blob)
        // nothing at all in the storage account's staging container.
        var failedJob = failed.GetProperty("job_id").GetString()!;
        Assert.Contains(await providerCluster.Staging.ListAsync(CancellationToken.None).ToListAsync(),
            staged => staged.Metadata.TryGetValue(PixerveConfiguration.StagedJobIdMetadata, out var job) && job == failedJob);
        if (providerCluster.Staging is not AzureBlobStagingStore)
            Assert.Empty(await new AzureBlobStagingStore(new BlobServiceClient(Cluster.StorageConnectionString))
                .ListAsync(CancellationToken.None).ToListAsync());
    }

    [Fact]
    public async Task The_retention_sweep_is_scheduled_in_the_providers_reminder_store_and_knows_todays_index()
    {
        var subDir = $"core/{Unique()}";
        var token = Token(subDir);
        var hash = (await UploadAsync(UniqueBytes.Jpeg("va.jpg"), token)).GetProperty("hash").GetString()!;
        Assert.Equal("completed", (await WaitUntilFinalAsync(hash, token)).GetProperty("status").GetString());

        // The cleanup grain's daily reminder (Pixerve:Retention:Period) lives in the provider's store, so it survives any silo.
        var reminders = await CleanupRemindersAsync();
        Assert.Contains("daily", reminders);
        // The day the job ended is recorded in the cleanup grain's state, where a sweep looks for days to expire.
        var days = await Cluster.ClusterClient.GetGrain<Pixerve.GrainInterfaces.Records.ICleanupGrain>(0).Days();
        Assert.Contains(DateTimeOffset.UtcNow.ToString("yyyy-MM-dd"), days);
    }

    [Fact]
    public async Task The_webhook_outbox_delivers_after_a_refused_first_try()
    {
        await using var receiver = await WebhookReceiver.StartAsync(failures: 1);
        var subDir = $"core/{Unique()}";
        var token = Token(subDir, extra: new { completionCallback = receiver.Url });
        var hash = (await UploadAsync(UniqueBytes.Jpeg("va.jpg"), token)).GetProperty("hash").GetString()!;

        var final = await WaitUntilFinalAsync(hash, token, s => s.GetProperty("webhook").ValueKind == JsonValueKind.Object &&
                                                                 s.GetProperty("webhook").GetProperty("status").GetString() == "delivered");
        Assert.Equal("completed", final.GetProperty("status").GetString());
        Assert.True(final.GetProperty("webhook").GetProperty("attempts").GetInt32() >= 2);
        Assert.True(receiver.Received.Count >= 2);
        var body = JsonDocument.Parse(receiver.Received.Last().Body).RootElement;
        Assert.Equal(final.GetProperty("job_id").GetString(), body.GetProperty("job_id").GetString());
    }

    /// <summary>The names of the cleanup grain's reminders, read from the provider's own store.</summary>
    protected abstract Task<IReadOnlyList<string>> CleanupRemindersAsync();
}

/// <summary>The core on the default provider: Azure Storage (Azurite), uploads staged in its blobs.</summary>
public sealed class AzureClusterProviderCoreTests(AzureProviderCluster cluster) : ClusterProviderCoreTests(cluster), IClassFixture<AzureProviderCluster>
{
    protected override async Task<IReadOnlyList<string>> CleanupRemindersAsync()
    {
        var names = new List<string>();
        var table = new Azure.Data.Tables.TableServiceClient(Cluster.StorageConnectionString).GetTableClient("OrleansReminders");
        await foreach (var row in table.QueryAsync<Azure.Data.Tables.TableEntity>())
        {
            if (row.GetString("GrainReference")?.Contains("cleanup", StringComparison.OrdinalIgnoreCase) == true)
                names.Add(row.GetString("ReminderName"));
        }

        return names;
    }
}

/// <summary>The core on PostgreSQL (membership, grain state and reminders in its tables), uploads staged in S3 (s3rver).</summary>
public sealed class PostgresClusterProviderCoreTests(PostgresProviderCluster cluster) : ClusterProviderCoreTests(cluster), IClassFixture<PostgresProviderCluster>
{
    protected override async Task<IReadOnlyList<string>> CleanupRemindersAsync() =>
        await PostgresServer.QueryAsync<string>(Cluster.PostgresConnectionString,
            "SELECT remindername FROM orleansreminderstable WHERE grainid ILIKE '%cleanup%'");
}

/// <summary>The core on Redis (membership, grain state and reminders in its keys), uploads staged in a shared folder.</summary>
public sealed class RedisClusterProviderCoreTests(RedisProviderCluster cluster) : ClusterProviderCoreTests(cluster), IClassFixture<RedisProviderCluster>
{
    private readonly RedisProviderCluster _cluster = cluster;

    /// <summary>
    /// The <c>pixerve/reminders</c> sorted set: each member the JSON values of the reminder's grain hash, grain id, name,
    /// ETag, start and period, comma-separated.
    /// </summary>
    protected override async Task<IReadOnlyList<string>> CleanupRemindersAsync()
    {
        await using var redis = await StackExchange.Redis.ConnectionMultiplexer.ConnectAsync(_cluster.Redis.ConnectionString);
        var members = await redis.GetDatabase().SortedSetRangeByRankAsync("pixerve/reminders");
        return members.Select(m => JsonDocument.Parse("[" + m + "]").RootElement)
            .Where(r => r.GetRawText().Contains("cleanup", StringComparison.OrdinalIgnoreCase))
            .SelectMany(r => r.EnumerateArray()).Where(e => e.ValueKind == JsonValueKind.String).Select(e => e.GetString()!)
            .ToList();
    }

    [Fact]
    public async Task A_jobs_record_and_the_membership_are_Redis_keys()
    {
        var token = Token($"core/{Unique()}");
        var hash = (await UploadAsync(UniqueBytes.Jpeg("va.jpg"), token)).GetProperty("hash").GetString()!;
        var jobId = (await WaitUntilFinalAsync(hash, token)).GetProperty("job_id").GetString()!;

        // Orleans' Redis hashes: {ServiceId}/state/{grain type}/{grain key}/{state name}, and the membership table.
        await using var redis = await StackExchange.Redis.ConnectionMultiplexer.ConnectAsync(_cluster.Redis.ConnectionString);
        var server = redis.GetServer(redis.GetEndPoints()[0]);
        Assert.Contains(server.Keys(pattern: "pixerve/state/*").Select(k => k.ToString()),
            k => k.Contains(jobId, StringComparison.Ordinal) && k.EndsWith("/job", StringComparison.Ordinal));
        Assert.NotEmpty(server.Keys(pattern: "pixerve/members/*"));
    }
}

public sealed class AzureProviderCluster() : ProviderCluster(ClusterProvider.Azure)
{
    protected override IStagingStore OpenStaging() => new AzureBlobStagingStore(new BlobServiceClient(Cluster.StorageConnectionString));
}

/// <summary>PostgreSQL for the cluster, an S3 bucket for staging: the deployment on AWS or GCP.</summary>
public sealed class PostgresProviderCluster() : ProviderCluster(ClusterProvider.Postgres)
{
    private S3rverServer? _s3;

    private S3StagingSettings Bucket => new()
    {
        Bucket = S3rverServer.Bucket,
        Prefix = "staging/",
        ServiceUrl = _s3!.ServiceUrl,
        ForcePathStyle = true,
        AccessKeyId = S3rverServer.AccessKeyId,
        SecretAccessKey = S3rverServer.SecretAccessKey,
    };

    protected override async Task<IReadOnlyDictionary<string, string>> StartStagingAsync()
    {
        _s3 = await S3rverServer.StartAsync();
        return _s3.StagingSettings(Bucket.Prefix);
    }

    protected override IStagingStore OpenStaging() => new S3StagingStore(Bucket);

    protected override async ValueTask StopStagingAsync()
    {
        if (_s3 is not null) await _s3.DisposeAsync();
    }
}

/// <summary>Redis (with a password) for the cluster, a shared folder for staging: a deployment's own Kubernetes with a ReadWriteMany volume.</summary>
public sealed class RedisProviderCluster() : ProviderCluster(ClusterProvider.Redis)
{
    private readonly DirectoryInfo _staging = Directory.CreateTempSubdirectory("pixerve-redis-staging-");

    public RedisServer Redis { get; private set; } = null!;

    protected override async Task<IReadOnlyDictionary<string, string>?> StartStoreAsync()
    {
        Redis = await RedisServer.StartAsync(password: "redis-provider-test-password-0123456789");
        return Redis.ClusterSettings;
    }

    protected override Task<IReadOnlyDictionary<string, string>> StartStagingAsync() =>
        Task.FromResult<IReadOnlyDictionary<string, string>>(new Dictionary<string, string>
        {
            ["Pixerve:Staging:Provider"] = "filesystem",
            ["Pixerve:Staging:Filesystem:Root"] = _staging.FullName,
        });

    protected override IStagingStore OpenStaging() => new FilesystemStagingStore(_staging.FullName);

    protected override async ValueTask StopStagingAsync()
    {
        if (Redis is not null) await Redis.DisposeAsync();
        _staging.Delete(recursive: true);
    }
}

/// <summary>Two silo processes and a gateway on one cluster provider and staging store, shared by a core-suite class.</summary>
public abstract class ProviderCluster(ClusterProvider provider) : IAsyncLifetime
{
    public ProcessCluster Cluster { get; private set; } = null!;

    /// <summary>The test's own client of the staging store the cluster was given.</summary>
    public IStagingStore Staging { get; private set; } = null!;

    /// <summary>The provider's store when the subclass starts it itself; null lets <see cref="ProcessCluster"/> start one.</summary>
    protected virtual Task<IReadOnlyDictionary<string, string>?> StartStoreAsync() => Task.FromResult<IReadOnlyDictionary<string, string>?>(null);

    /// <summary>The staging store's settings, after starting its server; none keeps the default (<c>azure-blob</c>).</summary>
    protected virtual Task<IReadOnlyDictionary<string, string>> StartStagingAsync() =>
        Task.FromResult<IReadOnlyDictionary<string, string>>(new Dictionary<string, string>());

    protected abstract IStagingStore OpenStaging();

    protected virtual ValueTask StopStagingAsync() => ValueTask.CompletedTask;

    public async Task InitializeAsync()
    {
        var store = await StartStoreAsync();
        var settings = new Dictionary<string, string>
        {
            ["Pixerve:AdminToken"] = ClusterFailoverTests.AdminToken,
            ["Pixerve:Jobs:Concurrency"] = "1",
            // Webhook retries within the test rather than minutes apart.
            ["Pixerve:Webhooks:FirstRetryDelay"] = "00:00:01",
            ["Pixerve:Webhooks:AllowPrivateNetworks"] = "true",
        };
        foreach (var (key, value) in await StartStagingAsync()) settings[key] = value;
        Cluster = await ProcessCluster.StartAsync(2, PixerveFixture.JwtSecret, settings, provider: provider, store: store);
        Staging = OpenStaging();
    }

    public async Task DisposeAsync()
    {
        if (Cluster is not null) await Cluster.DisposeAsync();
        await StopStagingAsync();
    }
}
