using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text.Json;

namespace Pixerve.Testing.Fixtures;

/// <summary>One answer the gateways gave during a failover run.</summary>
public sealed record UploadAnswer(int Status, bool HasRetryAfter, double Seconds, DateTimeOffset At);

/// <summary>
/// Clients uploading distinct copies of a photo through several gateways, as applications would: a 503 is
/// retried after its Retry-After (capped at a second, so the run stays short), anything else is final. A gateway
/// that refuses the connection (stopped) gets no answer counted: the upload goes to the next gateway, as a load
/// balancer would send it.
/// </summary>
public sealed class FailoverLoad(IReadOnlyList<HttpClient> gateways, string token)
{
    private int _acknowledged;
    private int _refused;

    public ConcurrentBag<UploadAnswer> Answers { get; } = [];

    /// <summary>Connections a stopped gateway refused; each upload went to the next gateway instead.</summary>
    public int Refused => _refused;

    /// <summary>
    /// Requests whose connection broke before an answer (reset, closed mid-request): only with
    /// <see cref="RetryBrokenConnections"/>, when the upload is sent again to the next gateway; they fail the run otherwise.
    /// </summary>
    public ConcurrentBag<string> BrokenConnections { get; } = [];

    /// <summary>Sends an upload whose connection broke again, to the next gateway (a client retrying), instead of failing.</summary>
    public bool RetryBrokenConnections { get; set; }

    public ConcurrentDictionary<string, string> Acknowledged { get; } = new(); // job id → hash

    /// <summary>Each acknowledged job's <c>expected_files</c> and the name it was uploaded under, by job id.</summary>
    public ConcurrentDictionary<string, (string FileName, IReadOnlyList<string> Names)> ExpectedFiles { get; } = new();
    public TaskCompletionSource ThresholdReached { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Sends <paramref name="uploads"/> uploads from <paramref name="clients"/> concurrent clients.</summary>
    /// <param name="pause">How long each client waits after an upload is answered before its next (spreads the load over time).</param>
    public async Task RunAsync(int uploads, int clients, int signalAfter, TimeSpan deadline, TimeSpan pause = default)
    {
        var next = -1;
        var photo = UniqueBytes.Jpeg("photo-1920x1280-canon.jpg");
        using var stop = new CancellationTokenSource(deadline);
        await Task.WhenAll(Enumerable.Range(0, clients).Select(async _ =>
        {
            int i;
            while ((i = Interlocked.Increment(ref next)) < uploads)
            {
                // Distinct bytes per upload (a trailing byte after the image), so each is a job of its own.
                var bytes = (byte[])[.. photo, (byte)i, (byte)(i >> 8)];
                await UploadUntilAnsweredAsync(i % gateways.Count, bytes, $"photo-{i}.jpg", signalAfter, stop.Token);
                if (pause > TimeSpan.Zero) await Task.Delay(pause, stop.Token);
            }
        }));
    }

    private async Task UploadUntilAnsweredAsync(int gateway, byte[] bytes, string name, int signalAfter, CancellationToken stop)
    {
        while (true)
        {
            stop.ThrowIfCancellationRequested();
            var started = Stopwatch.GetTimestamp();
            using var request = PixerveFixture.UploadBytes(bytes, name, token);
            HttpResponseMessage sent;
            try
            {
                sent = await gateways[gateway].SendAsync(request, stop);
            }
            catch (HttpRequestException e) when (e.InnerException is SocketException { SocketErrorCode: SocketError.ConnectionRefused })
            {
                Interlocked.Increment(ref _refused);
                gateway = (gateway + 1) % gateways.Count;
                await Task.Delay(TimeSpan.FromMilliseconds(50), stop);
                continue;
            }
            catch (HttpRequestException e) when (RetryBrokenConnections)
            {
                BrokenConnections.Add($"{gateways[gateway].BaseAddress} after {Stopwatch.GetElapsedTime(started).TotalSeconds:F1} s: {e.Message}");
                gateway = (gateway + 1) % gateways.Count;
                continue;
            }

            using var response = sent;
            Answers.Add(new UploadAnswer((int)response.StatusCode, response.Headers.RetryAfter is not null,
                Stopwatch.GetElapsedTime(started).TotalSeconds, DateTimeOffset.UtcNow));
            if (response.StatusCode == HttpStatusCode.ServiceUnavailable)
            {
                var wait = response.Headers.RetryAfter?.Delta ?? TimeSpan.FromSeconds(1);
                await Task.Delay(wait < TimeSpan.FromSeconds(1) ? wait : TimeSpan.FromSeconds(1), stop);
                continue;
            }

            if (response.StatusCode != HttpStatusCode.OK) return;
            var body = await response.Content.ReadFromJsonAsync<JsonElement>(stop);
            var jobId = body.GetProperty("job_id").GetString()!;
            ExpectedFiles[jobId] = (name, body.GetProperty("expected_files").EnumerateArray().Select(n => n.GetString()!).ToList());
            Acknowledged[jobId] = body.GetProperty("hash").GetString()!;
            if (Interlocked.Increment(ref _acknowledged) == signalAfter) ThresholdReached.TrySetResult();
            return;
        }
    }

    /// <summary>
    /// Waits until every acknowledged job's outputs are in <paramref name="serveDir"/> (under the token's
    /// <paramref name="subDir"/>), reading files only: no job is asked anything, so none is queued again by being looked at.
    /// </summary>
    public Task<Dictionary<string, TimeSpan>> WaitForOutputsAsync(string serveDir, string subDir, TimeSpan deadline, string why) =>
        ServedFiles.WaitForAsync(serveDir, ExpectedFiles.Select(e =>
            new ExpectedOutputs(e.Key, Acknowledged[e.Key], e.Value.FileName, e.Value.Names.Select(n => Path.Combine(subDir, n)).ToList())), deadline, why);

    /// <summary>Polls every acknowledged job until it is final; returns the statuses by job id.</summary>
    public async Task<Dictionary<string, JsonElement>> WaitUntilAllFinalAsync(HttpClient gateway, TimeSpan timeout)
    {
        var finals = new ConcurrentDictionary<string, JsonElement>();
        await Poll.UntilAsync(async () =>
        {
            foreach (var (jobId, hash) in Acknowledged)
            {
                if (finals.ContainsKey(jobId)) continue;
                try
                {
                    using var request = new HttpRequestMessage(HttpMethod.Get, $"/status?hash={hash}");
                    request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
                    using var response = await gateway.SendAsync(request);
                    if (response.StatusCode == HttpStatusCode.ServiceUnavailable) continue;
                    Assert.Equal(HttpStatusCode.OK, response.StatusCode);
                    var status = await response.Content.ReadFromJsonAsync<JsonElement>();
                    if (status.GetProperty("status").GetString() is "completed" or "failed" or "cancelled") finals[jobId] = status;
                }
                catch (HttpRequestException)
                {
                }
            }

            return finals.Count == Acknowledged.Count;
        }, timeout, "every acknowledged job to be final");
        return new Dictionary<string, JsonElement>(finals);
    }
}
