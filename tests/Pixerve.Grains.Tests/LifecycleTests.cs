using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Pixerve.Testing;
using Pixerve.Testing.Fixtures;

namespace Pixerve.Grains.Tests;

[Collection(PixerveCollection.Name)]
public sealed class LifecycleTests(PixerveFixture fixture)
{
    private static object Job(string subDir, int priority = 0, string? callback = null, object? headers = null) => new
    {
        formats = new { jpg = new { sizes = new[] { new[] { 200 } } } },
        directHost = true,
        subDir,
        priority,
        completionCallback = callback,
        callbackHeaders = headers,
    };

    private Task WaitUntilQueueIdleAsync() => Poll.UntilAsync(
        () => fixture.Queue().Depth == 0 && fixture.Queue().Running == 0, TimeSpan.FromMinutes(1), "the queue to drain");

    [Fact]
    public async Task Pending_jobs_run_highest_priority_first_then_in_arrival_order()
    {
        var uploads = new (string Image, int Priority)[] { ("va.jpg", 0), ("gray.jpg", 0), ("progressive.jpg", 10), ("vb.webp", 5) };
        fixture.Queue().Pause();
        var hashes = new List<(string Hash, string Token)>();
        try
        {
            foreach (var (image, priority) in uploads)
            {
                var token = fixture.Token(Job("lifecycle/priority", priority));
                hashes.Add((await fixture.UploadAsync(image, token), token));
            }
        }
        finally
        {
            fixture.Queue().Resume();
        }

        var started = new List<DateTimeOffset>();
        foreach (var (hash, token) in hashes)
        {
            var status = await fixture.WaitUntilFinalAsync(hash, token);
            Assert.Equal("completed", status.GetProperty("status").GetString());
            started.Add(status.GetProperty("started_at").GetDateTimeOffset());
        }

        // Expected start order: priority 10, priority 5, then the two priority-0 jobs in upload order.
        Assert.True(started[2] < started[3], "priority 10 before priority 5");
        Assert.True(started[3] < started[0], "priority 5 before priority 0");
        Assert.True(started[0] < started[1], "equal priorities in arrival order");
    }

    [Fact]
    public async Task Cancelled_pending_job_never_runs_and_leaves_nothing_staged()
    {
        var stagedBefore = await fixture.Staging.ListAsync(CancellationToken.None);
        var token = fixture.Token(Job("lifecycle/cancelled"));
        fixture.Queue().Pause();
        string hash;
        try
        {
            hash = await fixture.UploadAsync("cmyk.jpg", token);
            using var cancel = await fixture.Http.SendAsync(fixture.Request(HttpMethod.Delete, $"/cancel?hash={hash}", token));
            await HttpAssert.AssertOk(cancel);
            Assert.Equal("cancelled", (await cancel.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("status").GetString());

            using var again = await fixture.Http.SendAsync(fixture.Request(HttpMethod.Delete, $"/cancel?hash={hash}", token));
            await HttpAssert.AssertProblem(again, HttpStatusCode.Conflict);
        }
        finally
        {
            fixture.Queue().Resume();
        }

        await WaitUntilQueueIdleAsync();
        var status = await fixture.GetJsonAsync($"/status?hash={hash}", token);
        Assert.Equal("cancelled", status.GetProperty("status").GetString());
        Assert.Equal(0, status.GetProperty("attempts").GetInt32());
        Assert.False(Directory.Exists(Path.Combine(fixture.ServeDir, "lifecycle", "cancelled")));
        await fixture.AssertNothingNewStagedAsync(stagedBefore);
    }

    [Fact]
    public async Task Cancel_is_409_for_a_running_or_finished_job_and_404_for_an_unknown_one()
    {
        // A job token per run: the same bytes under the same claim are one job, which runs once.
        string MintRunToken(int run) => fixture.Token(new
        {
            formats = new
            {
                png = new { sizes = new[] { new[] { 4000 }, new[] { 3000 }, new[] { 2000 } } },
                webp = new { sizes = new[] { new[] { 4000 }, new[] { 3000 } } },
            },
            directHost = true,
            subDir = "lifecycle/running",
            priority = run,
        });

        // The conversion takes seconds; should a poll miss it, the next run asks for other work on the same bytes.
        string? hash = null;
        var token = "";
        HttpStatusCode? cancelWhileRunning = null;
        for (var run = 0; run < 5 && cancelWhileRunning is null; run++)
        {
            token = MintRunToken(run);
            hash = await fixture.UploadAsync("photo-18mp-sony.jpg", token);
            await Poll.UntilAsync(async () =>
            {
                var state = (await fixture.GetJsonAsync($"/status?hash={hash}", token)).GetProperty("status").GetString();
                if (state == "processing")
                {
                    using var cancel = await fixture.Http.SendAsync(fixture.Request(HttpMethod.Delete, $"/cancel?hash={hash}", token));
                    var stillRunning = (await fixture.GetJsonAsync($"/status?hash={hash}", token)).GetProperty("status").GetString() == "processing";
                    if (stillRunning) cancelWhileRunning = cancel.StatusCode;
                }

                return state is "completed" or "failed" || cancelWhileRunning is not null;
            }, TimeSpan.FromMinutes(2), "the job to run");
            await fixture.WaitUntilFinalAsync(hash, token);
        }

        Assert.Equal(HttpStatusCode.Conflict, cancelWhileRunning);
        Assert.Equal("completed", (await fixture.GetJsonAsync($"/status?hash={hash}", token)).GetProperty("status").GetString());
        using var finished = await fixture.Http.SendAsync(fixture.Request(HttpMethod.Delete, $"/cancel?hash={hash}", token));
        await HttpAssert.AssertProblem(finished, HttpStatusCode.Conflict);
        using var unknown = await fixture.Http.SendAsync(fixture.Request(HttpMethod.Delete, $"/cancel?hash={new string('c', 64)}", token));
        await HttpAssert.AssertProblem(unknown, HttpStatusCode.NotFound);
    }

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
    public async Task Events_stream_each_state_change_until_the_job_is_final()
    {
        var token = fixture.Token(Job("lifecycle/events"));
        fixture.Queue().Pause();
        var events = new List<(string Type, JsonElement Data)>();
        try
        {
            var hash = await fixture.UploadAsync("photo-2560x1600.jpg", token);
            using var request = fixture.Request(HttpMethod.Get, $"/events?hash={hash}", token);
            using var deadline = new CancellationTokenSource(TimeSpan.FromMinutes(1));
            using var response = await fixture.Http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, deadline.Token);
            await HttpAssert.AssertOk(response);
            Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
            var stream = await response.Content.ReadAsStreamAsync(deadline.Token);
            await foreach (var item in System.Net.ServerSentEvents.SseParser.Create(stream).EnumerateAsync(deadline.Token))
            {
                events.Add((item.EventType, JsonDocument.Parse(item.Data).RootElement));
                if (events.Count == 1) fixture.Queue().Resume();
            }
        }
        finally
        {
            fixture.Queue().Resume();
        }

        // A state shorter than the gateway's poll interval may be skipped, but never reordered.
        var types = events.Select(e => e.Type).ToList();
        Assert.Equal("pending", types[0]);
        Assert.Equal("completed", types[^1]);
        Assert.Equal(types.Distinct().OrderBy(t => Array.IndexOf(["pending", "processing", "completed"], t)), types);
        Assert.Equal("completed", events[^1].Data.GetProperty("status").GetString());
        Assert.Equal(1, events[^1].Data.GetProperty("files").GetArrayLength());
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
