using Pixerve.ServiceDefaults;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Azure.Storage.Blobs;
using Pixerve.Testing;
using Pixerve.Testing.Fixtures;
using StackExchange.Redis;

namespace Pixerve.EndToEnd.Tests;

/// <summary>
/// On <c>Pixerve:Cluster:Provider = redis</c> the Data Protection key ring is a Redis key every silo shares: a storage
/// credential whose secret one silo process encrypted is decrypted by another, started after it, to store a job.
/// </summary>
[Collection(ProcessClusterCollection.Name)]
public sealed class RedisKeyRingTests
{
    private const string AdminToken = "redis-keyring-admin-token-0123456789abcdefgh";

    [Fact]
    public async Task A_credential_stored_through_one_silo_is_read_by_another_through_the_key_ring_in_Redis()
    {
        await using var redis = await RedisServer.StartAsync();
        await using var s3 = await S3rverServer.StartAsync();
        var settings = LoadEventReport.ClusterSettings(AdminToken);
        await using var cluster = await ProcessCluster.StartAsync(1, PixerveFixture.JwtSecret, settings, provider: ClusterProvider.Redis, store: redis.ClusterSettings);

        var key = $"s3-{Guid.NewGuid():N}"[..16];
        using (var put = await cluster.Http.SendAsync(Request(HttpMethod.Post, "/admin/credentials", AdminToken, new
               {
                   key, type = "s3",
                   data = new
                   {
                       bucket = S3rverServer.Bucket, service_url = s3.ServiceUrl, force_path_style = true, prefix = "keyring",
                       access_key_id = S3rverServer.AccessKeyId, secret_access_key = S3rverServer.SecretAccessKey,
                   },
               })))
            Assert.Equal(HttpStatusCode.Created, put.StatusCode);

        // The ring holds the key that encrypted the secret; the storage account holds no ring.
        await using (var client = await ConnectionMultiplexer.ConnectAsync(redis.ConnectionString))
        {
            var ring = await client.GetDatabase().ListRangeAsync("pixerve/data-protection-keys");
            Assert.Contains(ring, element => element.ToString().StartsWith("<key ", StringComparison.Ordinal));
        }

        Assert.False(await new BlobServiceClient(cluster.StorageConnectionString).GetBlobContainerClient("pixerve-keys").ExistsAsync());

        // The silo that encrypted it is gone (SIGKILL): a new process, with nothing in memory, runs the job.
        cluster.Silos[0].Kill();
        await cluster.RestartSiloAsync(0);

        var subDir = $"keyring/{Guid.NewGuid():N}";
        var token = TestTokens.Mint(PixerveFixture.JwtSecret,
            new { formats = new { jpg = new { sizes = new[] { new[] { 64 } } } }, subDir, storageKeys = new { s3 = key } },
            expires: DateTimeOffset.UtcNow.AddHours(1));
        string hash;
        using (var upload = await PostUntilAcceptedAsync(cluster.Http, token))
            hash = (await upload.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("hash").GetString()!;

        JsonElement status = default;
        await Poll.UntilAsync(async () =>
        {
            using var response = await cluster.Http.SendAsync(Request(HttpMethod.Get, $"/status?hash={hash}", token));
            if (!response.IsSuccessStatusCode) return false;
            status = await response.Content.ReadFromJsonAsync<JsonElement>();
            return status.GetProperty("status").GetString() is "completed" or "failed";
        }, TimeSpan.FromMinutes(2), "the job on the new silo to finish");
        Assert.True(status.GetProperty("status").GetString() == "completed", $"the job did not complete: {status}");
        Assert.Contains(status.GetProperty("files").EnumerateArray(), f => f.GetProperty("backend").GetString() == "s3");
    }

    /// <summary>The upload, asked again while the restarted silo is still joining (503).</summary>
    private static async Task<HttpResponseMessage> PostUntilAcceptedAsync(HttpClient http, string token)
    {
        HttpResponseMessage? response = null;
        await Poll.UntilAsync(async () =>
        {
            response?.Dispose();
            response = await http.SendAsync(PixerveFixture.UploadBytes(UniqueBytes.Jpeg("va.jpg"), "va.jpg", token));
            return response.StatusCode != HttpStatusCode.ServiceUnavailable;
        }, TimeSpan.FromMinutes(1), "the upload to be accepted");
        await HttpAssert.AssertOk(response!);
        return response!;
    }

    private static HttpRequestMessage Request(HttpMethod method, string path, string token, object? body = null)
    {
        var request = new HttpRequestMessage(method, path);
        request.Headers.Authorization = new("Bearer", token);
        if (body is not null) request.Content = JsonContent.Create(body);
        return request;
    }
}
