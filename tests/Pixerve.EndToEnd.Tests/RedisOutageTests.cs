using Pixerve.ServiceDefaults;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Pixerve.Testing;
using Pixerve.Testing.Fixtures;

namespace Pixerve.EndToEnd.Tests;

/// <summary>
/// On <c>Pixerve:Cluster:Provider = redis</c>, a Redis that dies under the cluster makes the grain calls that need it
/// fail: the gateway answers them 503 with <c>Retry-After</c>, never 500, and works again once Redis is back on its
/// append-only file.
/// </summary>
[Collection(ProcessClusterCollection.Name)]
public sealed class RedisOutageTests
{
    [Fact]
    public async Task Uploads_while_Redis_is_down_are_503_with_Retry_After_and_accepted_again_after_it_restarts()
    {
        await using var redis = await RedisServer.StartAsync(appendOnly: true);
        await using var cluster = await ProcessCluster.StartAsync(1, PixerveFixture.JwtSecret, new Dictionary<string, string>
        {
            ["Pixerve:RateLimits:UploadsPerMinutePerIp"] = "100000",
            ["Pixerve:RateLimits:UploadsPerMinutePerSubject"] = "100000",
        }, provider: ClusterProvider.Redis, store: redis.ClusterSettings);
        var token = LoadEventReport.JobToken($"redis-outage/{Guid.NewGuid():N}");
        var before = await UploadAsync(cluster.Http, token);
        Assert.Equal(HttpStatusCode.OK, before.Status);

        await redis.KillAsync();
        var answers = new List<(HttpStatusCode Status, string? RetryAfter, string Body)>();
        try
        {
            // Every upload now needs a new job record in Redis.
            await Poll.UntilAsync(async () =>
            {
                answers.Add(await UploadAsync(cluster.Http, token));
                return (int)answers[^1].Status >= 500;
            }, TimeSpan.FromMinutes(1), "an upload to be refused (5xx) while Redis is down");
        }
        finally
        {
            await redis.RestartAsync();
        }

        var refused = answers[^1];
        Assert.True(refused.Status == HttpStatusCode.ServiceUnavailable, $"answered {(int)refused.Status}: {refused.Body}");
        Assert.Equal("5", refused.RetryAfter);

        (HttpStatusCode Status, string? RetryAfter, string Body) after = default;
        await Poll.UntilAsync(async () => (after = await UploadAsync(cluster.Http, token)).Status == HttpStatusCode.OK,
            TimeSpan.FromMinutes(1), "an upload to be accepted once Redis is back");
        // The record written before the outage survived it (append-only file).
        using var status = new HttpRequestMessage(HttpMethod.Get, $"/status?hash={JsonDocument.Parse(before.Body).RootElement.GetProperty("hash").GetString()}");
        status.Headers.Authorization = new("Bearer", token);
        using var response = await cluster.Http.SendAsync(status);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    private static async Task<(HttpStatusCode Status, string? RetryAfter, string Body)> UploadAsync(HttpClient http, string token)
    {
        using var response = await http.SendAsync(PixerveFixture.UploadBytes(UniqueBytes.Jpeg("va.jpg"), "va.jpg", token));
        return (response.StatusCode, response.Headers.RetryAfter?.ToString(), await response.Content.ReadAsStringAsync());
    }
}
