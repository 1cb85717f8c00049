using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Pixerve.ServiceDefaults;
using Pixerve.Testing;
using Pixerve.Testing.Fixtures;

namespace Pixerve.EndToEnd.Tests;

/// <summary>
/// The end-to-end core on one cluster provider (membership, grain state and reminders in its store; staging in
/// Azurite): an upload completes and is served; another client's token does not see the job; a pending job is
/// cancelled; success and failure records and lists; the retention reminder in the provider's store; the webhook
/// outbox delivers after a refused first try. One cluster of two silo processes per provider (the subclasses below).
/// </summary>
[Collection(ProcessClusterCollection.Name)]
public abstract class ClusterProviderCoreTests(ProviderCluster providerCluster)
{
    protected ProcessCluster Cluster => providerCluster.Cluster;
    private HttpClient Http => Cluster.Http;

    private static string Unique() => Guid.NewGuid().ToString("N")[..10];

    private static string Token(string subDir, string? format = "jpg", int size = 200, object? extra = null, string? subject = null)
    {
        var job = new Dictionary<string, object> { ["directHost"] = true, ["subDir"] = subDir };
        if (format is not null) job["formats"] = new Dictionary<string, object> { [format] = new { sizes = new[] { new[] { size } } } };
        foreach (var property in extra?.GetType().GetProperties() ?? []) job[property.Name] = property.GetValue(extra)!;
        return TestTokens.Mint(PixerveFixture.JwtSecret, job, expires: DateTimeOffset.UtcNow.AddHours(1), subject: subject);
    }

    private async Task<JsonElement> UploadAsync(byte[] bytes, string token, string name = "photo.jpg")
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

    private async Task<JsonElement> WaitUntilFinalAsync(string hash, string token, Func<JsonElement, bool>? also = null)
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

/// <summary>The core on the default provider: Azure Storage (Azurite).</summary>
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

/// <summary>The core on PostgreSQL: membership, grain state and reminders in its tables.</summary>
public sealed class PostgresClusterProviderCoreTests(PostgresProviderCluster cluster) : ClusterProviderCoreTests(cluster), IClassFixture<PostgresProviderCluster>
{
    protected override async Task<IReadOnlyList<string>> CleanupRemindersAsync() =>
        await PostgresServer.QueryAsync<string>(Cluster.PostgresConnectionString,
            "SELECT remindername FROM orleansreminderstable WHERE grainid ILIKE '%cleanup%'");
}

public sealed class AzureProviderCluster() : ProviderCluster(ClusterProvider.Azure);

public sealed class PostgresProviderCluster() : ProviderCluster(ClusterProvider.Postgres);

/// <summary>Two silo processes and a gateway on one cluster provider, shared by a core-suite class.</summary>
public abstract class ProviderCluster(ClusterProvider provider) : IAsyncLifetime
{
    public ProcessCluster Cluster { get; private set; } = null!;

    public async Task InitializeAsync() =>
        Cluster = await ProcessCluster.StartAsync(2, PixerveFixture.JwtSecret, new Dictionary<string, string>
        {
            ["Pixerve:AdminToken"] = ClusterFailoverTests.AdminToken,
            ["Pixerve:Jobs:Concurrency"] = "1",
            // Webhook retries within the test rather than minutes apart.
            ["Pixerve:Webhooks:FirstRetryDelay"] = "00:00:01",
            ["Pixerve:Webhooks:AllowPrivateNetworks"] = "true",
        }, provider: provider);

    public async Task DisposeAsync()
    {
        if (Cluster is not null) await Cluster.DisposeAsync();
    }
}
