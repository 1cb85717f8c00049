using System.Net;
using System.Net.Http.Json;
using System.Net.ServerSentEvents;
using System.Text.Json;
using Orleans.Core.Internal;
using Pixerve.GrainInterfaces.Jobs;
using Pixerve.Testing;
using Pixerve.Testing.Fixtures;

namespace Pixerve.Gateway.Tests;

/// <summary>
/// <c>/events</c> is fed by the job grain's notifications (not by asking it over and over), renews its
/// subscription across the grain's activations, and holds at most so many streams per subject and in all.
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
            Assert.Equal(["pending", "processing", "completed"], types);
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
