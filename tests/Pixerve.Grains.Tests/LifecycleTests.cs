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
        // The staging sweep deletes the original of a job done with it (every few seconds here).
        await Poll.UntilAsync(async () => !(await fixture.Staging.ListAsync(CancellationToken.None)).Except(stagedBefore).Any(),
            TimeSpan.FromMinutes(1), "the cancelled job's original to be deleted");
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

        // A state shorter than the gateway's poll interval may be skipped, but never reordered; the one output's
        // progress (the source, then the output) comes between the start and the final state.
        var types = events.Select(e => e.Type).ToList();
        Assert.Equal("pending", types[0]);
        Assert.Equal(["source", "output_done", "completed"], types[^3..]);
        var states = types.Where(t => t is not ("source" or "output_done")).ToList();
        Assert.Equal(states.Distinct().OrderBy(t => Array.IndexOf(["pending", "processing", "completed"], t)), states);
        Assert.Equal("completed", events[^1].Data.GetProperty("status").GetString());
        Assert.Equal(1, events[^1].Data.GetProperty("files").GetArrayLength());
    }
}
