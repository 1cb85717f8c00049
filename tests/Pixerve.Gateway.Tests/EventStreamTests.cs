using System.Net;
using System.Net.Http.Json;
using System.Net.ServerSentEvents;
using System.Text.Json;
using Orleans.Core.Internal;
using Pixerve.GrainInterfaces.Jobs;
using Pixerve.Grains.Jobs;
using Pixerve.Imaging.Inspection.Formats;
using Pixerve.Testing;
using Pixerve.Testing.Fixtures;

namespace Pixerve.Gateway.Tests;

/// <summary>
/// <c>/events</c> is fed by the job grain's notifications (not by asking it over and over), renews its
/// subscription across the grain's activations, and holds at most so many streams per subject and in all; it carries
/// the job's progress as it converts (the source, each output in plan order), earlier outputs included for a late stream.
/// </summary>
[Collection(PixerveCollection.Name)]
public sealed class EventStreamTests(PixerveFixture fixture)
{
    private static object Job(string subDir) => new
    {
        formats = new Dictionary<string, object> { ["jpg"] = new { sizes = new[] { new[] { 64 } } } },
        directHost = true,
        subDir,
    };

    private static string Unique() => Guid.NewGuid().ToString("N")[..10];

    [Fact]
    public async Task A_change_reaches_the_stream_when_the_job_writes_it_not_at_the_next_recheck()
    {
        // Rechecks so rare that a stream fed by rereading the job would not see the cancel within the deadline.
        var (gateway, http) = await fixture.StartGatewayAsync("--Pixerve:Gateway:EventStreamRecheck=00:00:30");
        await using var _ = gateway;
        using var __ = http;
        var token = fixture.Token(Job($"events/{Unique()}"));
        fixture.Queue().Pause();
        try
        {
            var hash = await UploadAsync(http, token);
            using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(20));
            await using var stream = await OpenAsync(http, hash, token, deadline.Token);
            Assert.Equal("pending", (await stream.NextAsync()).Type);

            using var cancel = await http.SendAsync(fixture.Request(HttpMethod.Delete, $"/cancel?hash={hash}", token));
            await HttpAssert.AssertOk(cancel);
            var (type, data) = await stream.NextAsync();
            Assert.Equal("cancelled", type);
            Assert.Equal("cancelled", data.GetProperty("status").GetString());
            Assert.True(await stream.EndedAsync(), "the stream ends after the final state");
        }
        finally
        {
            fixture.Queue().Resume();
        }
    }

    [Fact]
    public async Task Every_state_the_job_writes_reaches_the_stream_even_one_shorter_than_a_poll()
    {
        // A tiny image converts in milliseconds: a stream that polled the job would mostly miss "processing".
        var (gateway, http) = await fixture.StartGatewayAsync("--Pixerve:Gateway:EventStreamRecheck=00:00:30");
        await using var _ = gateway;
        using var __ = http;
        var token = fixture.Token(new { formats = new Dictionary<string, object> { ["png"] = new { sizes = new[] { new[] { 16 } } } }, directHost = true, subDir = $"events/{Unique()}" });
        fixture.Queue().Pause();
        try
        {
            var hash = await UploadAsync(http, token, UniqueBytes.Png(), "tiny.png");
            using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(20));
            await using var stream = await OpenAsync(http, hash, token, deadline.Token);
            var types = new List<string> { (await stream.NextAsync()).Type };
            fixture.Queue().Resume();
            while (!await stream.EndedAsync()) types.Add(stream.Current.Type);
            // Its one output's progress between the run's start and its end.
            Assert.Equal(["pending", "processing", "source", "output_done", "completed"], types);
        }
        finally
        {
            fixture.Queue().Resume();
        }
    }

    [Fact]
    public async Task A_stream_renews_its_subscription_when_the_job_grain_was_collected_and_still_gets_the_final_state()
    {
        var (gateway, http) = await fixture.StartGatewayAsync("--Pixerve:Gateway:EventStreamRecheck=00:00:00.200");
        await using var _ = gateway;
        using var __ = http;
        var token = fixture.Token(Job($"events/{Unique()}"));
        fixture.Queue().Pause();
        try
        {
            var hash = await UploadAsync(http, token);
            using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            await using var stream = await OpenAsync(http, hash, token, deadline.Token);
            var (_, pending) = await stream.NextAsync();
            Assert.Equal("pending", pending.GetProperty("status").GetString());

            // The activation holding the subscription goes; the job comes back in a new one, unsubscribed.
            var job = fixture.Cluster.Client.GetGrain<IJobGrain>(pending.GetProperty("job_id").GetString()!);
            await job.AsReference<IGrainManagementExtension>().DeactivateOnIdle();
            fixture.Queue().Resume();

            var types = new List<string>();
            while (types.LastOrDefault() is not ("completed" or "failed")) types.Add((await stream.NextAsync()).Type);
            Assert.Equal("completed", types[^1]);
            Assert.True(await stream.EndedAsync(), "the stream ends after the final state");
        }
        finally
        {
            fixture.Queue().Resume();
        }
    }

    [Fact]
    public async Task Streams_are_capped_per_subject_and_in_all_and_a_closed_stream_frees_its_slot()
    {
        var (gateway, http) = await fixture.StartGatewayAsync(
            "--Pixerve:Limits:MaxEventStreamsPerSubject=2", "--Pixerve:Limits:MaxEventStreams=3");
        await using var _ = gateway;
        using var __ = http;
        // One claim, three subjects: the same job, reached by each.
        var job = Job($"events/{Unique()}");
        string Token(string subject) => TestTokens.Mint(PixerveFixture.JwtSecret, job, subject: subject);
        var open = new List<OpenStream>();
        fixture.Queue().Pause();
        try
        {
            // Each subject's upload of the same bytes is a job of its own: each streams its own.
            var bytes = UniqueBytes.Jpeg("va.jpg");
            var hash = await UploadAsync(http, Token("alice"), bytes);
            Assert.Equal(hash, await UploadAsync(http, Token("bob"), bytes));
            Assert.Equal(hash, await UploadAsync(http, Token("carol"), bytes));
            using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            open.Add(await OpenAsync(http, hash, Token("alice"), deadline.Token));
            open.Add(await OpenAsync(http, hash, Token("alice"), deadline.Token));
            foreach (var stream in open) Assert.Equal("pending", (await stream.NextAsync()).Type);

            // A third for alice: past the per-subject cap.
            var perSubject = await RefusedAsync(http, hash, Token("alice"));
            Assert.Contains("per subject", perSubject.GetProperty("detail").GetString());

            open.Add(await OpenAsync(http, hash, Token("bob"), deadline.Token));
            Assert.Equal("pending", (await open[^1].NextAsync()).Type);
            // Carol has none open, but the gateway has its three.
            var total = await RefusedAsync(http, hash, Token("carol"));
            Assert.Contains("event streams open", total.GetProperty("detail").GetString());

            // Alice closes one: its slot comes back once the gateway sees the connection go.
            await open[0].DisposeAsync();
            open.RemoveAt(0);
            OpenStream? again = null;
            await Poll.UntilAsync(async () => (again = await TryOpenAsync(http, hash, Token("alice"), deadline.Token)) is not null,
                TimeSpan.FromSeconds(20), "alice's closed stream to free its slot");
            open.Add(again!);
            Assert.Equal("pending", (await again!.NextAsync()).Type);
        }
        finally
        {
            fixture.Queue().Resume();
            foreach (var stream in open) await stream.DisposeAsync();
        }
    }

    /// <summary>Five outputs of four formats, a byte-exact copy last: a plan whose progress has an order to keep.</summary>
    private static object ProgressJob(string subDir) => new
    {
        formats = new Dictionary<string, object>
        {
            ["jpg"] = new { sizes = new[] { new[] { 64 }, new[] { 32 } } },
            ["webp"] = new { sizes = new[] { new[] { 48 } } },
            ["png"] = new { sizes = new[] { new[] { 24 } } },
        },
        keepOriginal = true,
        directHost = true,
        subDir,
    };

    private IGrainFactory Grains => fixture.SiloService<IGrainFactory>();
    private string Silo => fixture.Cluster.Primary!.SiloAddress.ToString();

    [Fact]
    public async Task Each_output_reaches_the_stream_as_the_converter_makes_it_in_plan_order_and_a_stream_opened_mid_run_gets_the_earlier_ones()
    {
        // Rechecks so rare that only the job's notifications can bring the progress within the deadline.
        var (gateway, http) = await fixture.StartGatewayAsync("--Pixerve:Gateway:EventStreamRecheck=00:00:30");
        await using var _ = gateway;
        using var __ = http;
        var token = fixture.Token(ProgressJob($"events/{Unique()}"));
        fixture.Queue().Pause();
        try
        {
            var (hash, jobId, expected) = await UploadJobAsync(http, token);
            Assert.Equal(5, expected.Count);
            using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            await using var early = await OpenAsync(http, hash, token, deadline.Token);
            Assert.Equal("pending", (await early.NextAsync()).Type);

            // The test is the queue worker: it starts the run and has the real converter make it, then holds the
            // run's report back, so the job is still processing when the converter is done.
            var job = Grains.GetGrain<IJobGrain>(jobId);
            using var held = fixture.SiloService<RunningConversions>().Hold(jobId);
            var request = await job.TryStart(Silo) ?? throw new Xunit.Sdk.XunitException("the job did not start");
            var result = await Grains.GetGrain<IConverterGrain>(0).Convert(request);
            Assert.Null(result.Failure);

            // All of it reached the stream before the run's outcome: each told by the converter as it was made.
            var live = await ProgressAsync(early, expected.Count);
            var running = await GetJsonAsync(http, $"/status?hash={hash}", token);
            Assert.Equal("processing", running.GetProperty("status").GetString());
            Assert.Equal((5, 5), (running.GetProperty("outputs_done").GetInt32(), running.GetProperty("outputs_total").GetInt32()));
            Assert.Equal(JsonValueKind.Object, running.GetProperty("source").ValueKind);

            // A stream opened mid-run gets the outputs made before it opened, in order.
            await using var late = await OpenAsync(http, hash, token, deadline.Token);
            var caughtUp = await ProgressAsync(late, expected.Count);

            await job.Complete(result);
            foreach (var stream in new[] { early, late })
            {
                var (type, data) = await stream.NextAsync();
                Assert.Equal("completed", type);
                AssertProgressIsTheRecord(hash, expected, stream == early ? live : caughtUp, data);
                Assert.True(await stream.EndedAsync(), "the stream ends after the final state");
            }

            var completed = await GetJsonAsync(http, $"/status?hash={hash}", token);
            Assert.Equal((5, 5), (completed.GetProperty("outputs_done").GetInt32(), completed.GetProperty("outputs_total").GetInt32()));
        }
        finally
        {
            fixture.Queue().Resume();
        }
    }

    [Fact]
    public async Task A_stream_shows_outputs_in_plan_order_however_their_reports_arrive_and_never_a_report_of_another_run()
    {
        var (gateway, http) = await fixture.StartGatewayAsync("--Pixerve:Gateway:EventStreamRecheck=00:00:30");
        await using var _ = gateway;
        using var __ = http;
        var token = fixture.Token(ProgressJob($"events/{Unique()}"));
        fixture.Queue().Pause();
        try
        {
            var (hash, jobId, expected) = await UploadJobAsync(http, token);
            var job = Grains.GetGrain<IJobGrain>(jobId);
            using var held = fixture.SiloService<RunningConversions>().Hold(jobId);
            var request = await job.TryStart(Silo) ?? throw new Xunit.Sdk.XunitException("the job did not start");
            var source = new SourceInfo("jpg", 640, 480, false, "#102030", "thumbhash", "blurhash", 1);
            OutputInfo Made(int i, int width = 0) =>
                new(request.Plan[i].Name, request.Plan[i].Format.Info().Name, width > 0 ? width : 10 + i, 20 + i, 1000 + i);
            ConversionProgress Report(int i, int width = 0) =>
                new(request.Attempt, request.CorrelationId) { Index = i, Output = Made(i, width) };

            // The converter tells each output as it is made, in any order: the second before the first, both before the source.
            await job.Progress(Report(1));
            await job.Progress(new ConversionProgress(request.Attempt, request.CorrelationId) { Source = source });
            await job.Progress(Report(0));
            await PollStatusAsync(http, hash, token, s => s.GetProperty("outputs_done").GetInt32() == 2, "the first two outputs to show");
            using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            await using var stream = await OpenAsync(http, hash, token, deadline.Token);
            var progress = await ProgressAsync(stream, 2);

            // Reports of the third that are not this run's (another run's id, the attempt before, a name not planned
            // there), and the fourth before the third: none is shown.
            await job.Progress(Report(2, width: 9999) with { RunId = "another-run" });
            await job.Progress(Report(2, width: 9999) with { Attempt = request.Attempt - 1 });
            await job.Progress(Report(2, width: 9999) with { Output = Made(2, width: 9999) with { Name = "not-planned.jpg" } });
            await job.Progress(Report(3));
            // Taken in order after the reports above: when it answers, the job has had them all.
            await job.Resume();
            var waiting = await GetJsonAsync(http, $"/status?hash={hash}", token);
            Assert.Equal((2, 5), (waiting.GetProperty("outputs_done").GetInt32(), waiting.GetProperty("outputs_total").GetInt32()));

            await job.Progress(Report(2));
            await job.Progress(Report(4));
            for (var i = 0; i < 3; i++) progress.Add(await stream.NextAsync());
            var outputs = Enumerable.Range(0, 5).Select(i => Made(i)).ToList();
            await job.Complete(ConversionResult.Of([], null) with { Source = source, Outputs = outputs });
            var (type, data) = await stream.NextAsync();
            Assert.Equal("completed", type);
            AssertProgressIsTheRecord(hash, expected, progress, data);
            Assert.True(await stream.EndedAsync(), "the stream ends after the final state");
        }
        finally
        {
            fixture.Queue().Resume();
        }
    }

    /// <summary>
    /// Reads a running job's stream as far as <paramref name="outputs"/> outputs: its state, the source, then each
    /// output; answers the source and output events.
    /// </summary>
    private static async Task<List<(string Type, JsonElement Data)>> ProgressAsync(OpenStream stream, int outputs)
    {
        Assert.Equal("processing", (await stream.NextAsync()).Type);
        var events = new List<(string Type, JsonElement Data)>();
        for (var i = 0; i < outputs + 1; i++) events.Add(await stream.NextAsync());
        Assert.Equal(["source", .. Enumerable.Repeat("output_done", outputs)], events.Select(e => e.Type));
        return events;
    }

    /// <summary>
    /// The progress a stream sent is the job's record: the source once and first, then one event per output in
    /// expected_files order, done 1..n of n, each of the size and length the final record describes.
    /// </summary>
    private static void AssertProgressIsTheRecord(string hash, IReadOnlyList<string> expected, List<(string Type, JsonElement Data)> progress,
        JsonElement final)
    {
        Assert.Equal(["source", .. Enumerable.Repeat("output_done", expected.Count)], progress.Select(e => e.Type));
        var jobId = final.GetProperty("job_id").GetString();
        foreach (var (_, data) in progress)
            Assert.Equal((hash, jobId), (data.GetProperty("hash").GetString(), data.GetProperty("job_id").GetString()));
        Assert.True(JsonElement.DeepEquals(final.GetProperty("source"), progress[0].Data.GetProperty("source")), "the source event describes the record's source");
        var outputs = final.GetProperty("outputs").EnumerateArray().ToList();
        Assert.Equal(expected.Count, outputs.Count);
        for (var i = 0; i < expected.Count; i++)
        {
            var done = progress[i + 1].Data;
            Assert.Equal((expected[i], i + 1, expected.Count), (done.GetProperty("name").GetString(), done.GetProperty("done").GetInt32(), done.GetProperty("total").GetInt32()));
            string[] fields = ["name", "format", "width", "height", "bytes"];
            Assert.Equal(fields.Select(f => outputs[i].GetProperty(f).ToString()), fields.Select(f => done.GetProperty(f).ToString()));
        }
    }

    private static async Task<(string Hash, string JobId, IReadOnlyList<string> Expected)> UploadJobAsync(HttpClient http, string token)
    {
        using var response = await http.SendAsync(PixerveFixture.UploadBytes(UniqueBytes.Jpeg("va.jpg"), "va.jpg", token));
        await HttpAssert.AssertOk(response);
        var answer = await response.Content.ReadFromJsonAsync<JsonElement>();
        return (answer.GetProperty("hash").GetString()!, answer.GetProperty("job_id").GetString()!,
            answer.GetProperty("expected_files").EnumerateArray().Select(e => e.GetString()!).ToList());
    }

    private async Task<JsonElement> GetJsonAsync(HttpClient http, string path, string token)
    {
        using var response = await http.SendAsync(fixture.Request(HttpMethod.Get, path, token));
        await HttpAssert.AssertOk(response);
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    private async Task PollStatusAsync(HttpClient http, string hash, string token, Func<JsonElement, bool> condition, string what) =>
        await Poll.UntilAsync(async () => condition(await GetJsonAsync(http, $"/status?hash={hash}", token)), TimeSpan.FromSeconds(20), what);

    private static async Task<string> UploadAsync(HttpClient http, string token, byte[]? bytes = null, string name = "va.jpg")
    {
        using var response = await http.SendAsync(PixerveFixture.UploadBytes(bytes ?? UniqueBytes.Jpeg("va.jpg"), name, token));
        await HttpAssert.AssertOk(response);
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("hash").GetString()!;
    }

    private async Task<JsonElement> RefusedAsync(HttpClient http, string hash, string token)
    {
        using var response = await http.SendAsync(fixture.Request(HttpMethod.Get, $"/events?hash={hash}", token));
        return await HttpAssert.AssertProblem(response, HttpStatusCode.TooManyRequests);
    }

    private async Task<OpenStream> OpenAsync(HttpClient http, string hash, string token, CancellationToken cancellationToken) =>
        await TryOpenAsync(http, hash, token, cancellationToken) ?? throw new Xunit.Sdk.XunitException("the stream was refused with 429");

    /// <summary>An open stream, or null when the gateway answered 429.</summary>
    private async Task<OpenStream?> TryOpenAsync(HttpClient http, string hash, string token, CancellationToken cancellationToken)
    {
        var response = await http.SendAsync(fixture.Request(HttpMethod.Get, $"/events?hash={hash}", token),
            HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        if (response.StatusCode == HttpStatusCode.TooManyRequests)
        {
            response.Dispose();
            return null;
        }

        await HttpAssert.AssertOk(response);
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        var body = await response.Content.ReadAsStreamAsync(cancellationToken);
        return new OpenStream(response, SseParser.Create(body).EnumerateAsync(cancellationToken).GetAsyncEnumerator(cancellationToken));
    }

    private sealed class OpenStream(HttpResponseMessage response, IAsyncEnumerator<SseItem<string>> events) : IAsyncDisposable
    {
        public async Task<(string Type, JsonElement Data)> NextAsync()
        {
            Assert.True(await events.MoveNextAsync(), "the stream ended early");
            return (events.Current.EventType, JsonDocument.Parse(events.Current.Data).RootElement);
        }

        /// <summary>Reads the next event (then <see cref="Current"/>); true when the stream ended instead.</summary>
        public async Task<bool> EndedAsync() => !await events.MoveNextAsync();

        public (string Type, JsonElement Data) Current => (events.Current.EventType, JsonDocument.Parse(events.Current.Data).RootElement);

        public async ValueTask DisposeAsync()
        {
            await events.DisposeAsync();
            response.Dispose();
        }
    }
}
