using System.Net.Http.Json;
using System.Text.Json;
using Pixerve.Testing;
using Pixerve.Testing.Fixtures;

namespace Pixerve.Grains.Tests.Webhooks;

/// <summary>
/// A job's completion webhook on a real cluster: signed as Standard Webhooks, retried until the receiver accepts it,
/// given up after the last attempt. How one request is sent (address checks, signatures) is <see cref="WebhookSenderTests"/>.
/// </summary>
[Collection(PixerveCollection.Name)]
public sealed class WebhookDeliveryTests(PixerveFixture fixture)
{
    private static object Job(string subDir, string? callback = null, object? headers = null) => new
    {
        formats = new { jpg = new { sizes = new[] { new[] { 200 } } } },
        directHost = true,
        subDir,
        priority = 0,
        completionCallback = callback,
        callbackHeaders = headers,
    };

    [Fact]
    public async Task Failed_job_gets_a_failure_record_and_a_signed_failure_webhook()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        var token = fixture.Token(Job("lifecycle/failed", callback: receiver.Url));
        var hash = await fixture.UploadAsync("hostile/truncated.jpg", token);

        var status = await fixture.WaitUntilFinalAsync(hash, token);
        Assert.Equal("failed", status.GetProperty("status").GetString());
        var failure = await fixture.GetJsonAsync($"/failures?hash={hash}", token);
        Assert.Equal("failed", failure.GetProperty("status").GetString());
        Assert.StartsWith("source is not a decodable image", failure.GetProperty("error").GetString());
        Assert.True(failure.TryGetProperty("timestamp", out _));
        Assert.Equal("lifecycle/failed", failure.GetProperty("job_data").GetProperty("spec").GetProperty("subDir").GetString());
        Assert.Equal("not_found", (await fixture.GetJsonAsync($"/success?hash={hash}", token)).GetProperty("status").GetString());

        await Poll.UntilAsync(() => !receiver.Received.IsEmpty, TimeSpan.FromSeconds(30), "the failure webhook");
        var callback = Assert.Single(receiver.Received);
        AssertSigned(callback);
        var payload = JsonDocument.Parse(callback.Body).RootElement;
        Assert.Equal(hash, payload.GetProperty("hash").GetString());
        Assert.Equal("failed", payload.GetProperty("status").GetString());
        Assert.Equal(0, payload.GetProperty("file_count").GetInt32());
        Assert.StartsWith("source is not a decodable image", payload.GetProperty("error").GetString());
    }

    [Fact]
    public async Task Webhook_is_retried_until_the_receiver_accepts_it()
    {
        await using var receiver = await WebhookReceiver.StartAsync(failures: 2);
        var token = fixture.Token(Job("lifecycle/webhook", callback: receiver.Url, headers: new Dictionary<string, string> { ["X-Client-Key"] = "k-123" }));
        var hash = await fixture.UploadAsync("vb.jpg", token);
        Assert.Equal("completed", (await fixture.WaitUntilFinalAsync(hash, token)).GetProperty("status").GetString());

        JsonElement webhook = default;
        await Poll.UntilAsync(async () =>
        {
            webhook = (await fixture.GetJsonAsync($"/status?hash={hash}", token)).GetProperty("webhook");
            return webhook.GetProperty("status").GetString() != "pending";
        }, TimeSpan.FromSeconds(30), "the webhook to settle");

        Assert.Equal("delivered", webhook.GetProperty("status").GetString());
        Assert.Equal(3, webhook.GetProperty("attempts").GetInt32());
        Assert.Equal(3, receiver.Received.Count);
        var bodies = receiver.Received.Select(r => Convert.ToBase64String(r.Body)).Distinct();
        Assert.Single(bodies);
        // One message, three attempts: the id a receiver deduplicates by stays the same.
        Assert.Single(receiver.Received.Select(r => r.Headers["webhook-id"]).Distinct());
        foreach (var callback in receiver.Received)
        {
            AssertSigned(callback);
            Assert.Equal("k-123", callback.Headers["X-Client-Key"]);
        }

        var payload = JsonDocument.Parse(receiver.Received.First().Body).RootElement;
        Assert.Equal("completed", payload.GetProperty("status").GetString());
        Assert.Equal(1, payload.GetProperty("file_count").GetInt32());
        Assert.Equal(1, payload.GetProperty("files").GetArrayLength());

        var success = await fixture.GetJsonAsync($"/success?hash={hash}", token);
        Assert.Equal("success", success.GetProperty("status").GetString());
        Assert.Equal(1, success.GetProperty("file_count").GetInt32());
        Assert.Equal("***", success.GetProperty("job_data").GetProperty("spec").GetProperty("callbackHeaders").GetProperty("X-Client-Key").GetString());
        Assert.Equal("success", (await fixture.GetJsonAsync($"/failures?hash={hash}", token)).GetProperty("status").GetString());
    }

    [Fact]
    public async Task A_webhook_that_never_succeeds_is_given_up_after_its_last_attempt()
    {
        await using var receiver = await WebhookReceiver.StartAsync(failures: int.MaxValue);
        var token = fixture.Token(new
        {
            formats = new { jpg = new { sizes = new[] { new[] { 64 } } } },
            directHost = true,
            subDir = $"documented/{Guid.NewGuid():N}",
            completionCallback = receiver.Url,
        });
        using var upload = await fixture.Http.SendAsync(PixerveFixture.UploadBytes(UniqueBytes.Jpeg("vb.jpg"), "vb.jpg", token));
        await HttpAssert.AssertOk(upload);
        var hash = (await upload.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("hash").GetString()!;
        Assert.Equal("completed", (await fixture.WaitUntilFinalAsync(hash, token)).GetProperty("status").GetString());

        JsonElement webhook = default;
        await Poll.UntilAsync(async () =>
        {
            webhook = (await fixture.GetJsonAsync($"/status?hash={hash}", token)).GetProperty("webhook");
            return webhook.GetProperty("status").GetString() != "pending";
        }, TimeSpan.FromMinutes(1), "the webhook to settle");
        Assert.Equal("failed", webhook.GetProperty("status").GetString());
        Assert.Equal(6, webhook.GetProperty("attempts").GetInt32());
        Assert.Equal(500, webhook.GetProperty("last_status_code").GetInt32());
        Assert.Equal(6, receiver.Received.Count);
    }

    /// <summary>Standard Webhooks, checked as a receiver would: v1 HMAC-SHA256 of id.timestamp.body, a fresh timestamp.</summary>
    private static void AssertSigned(ReceivedCallback callback)
    {
        var id = callback.Headers["webhook-id"];
        var timestamp = long.Parse(callback.Headers["webhook-timestamp"]);
        Assert.StartsWith("msg_", id);
        Assert.True(Math.Abs(DateTimeOffset.UtcNow.ToUnixTimeSeconds() - timestamp) <= 300, "timestamp within the 5-minute tolerance");
        var signed = System.Text.Encoding.UTF8.GetBytes($"{id}.{timestamp}.").Concat(callback.Body).ToArray();
        var expected = "v1," + Convert.ToBase64String(System.Security.Cryptography.HMACSHA256.HashData(
            System.Text.Encoding.UTF8.GetBytes(PixerveFixture.WebhookSecret), signed));
        Assert.Equal(expected, callback.Headers["webhook-signature"]);
        Assert.False(callback.Headers.ContainsKey("X-Pixerve-Signature"));
    }
}
