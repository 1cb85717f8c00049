using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;

namespace Pixerve.Bench;

/// <summary>
/// <c>--e2e</c>: the whole pipeline through HTTP. Azurite, N real silo processes in azure clustering mode and one
/// gateway (in this process) on loopback; C clients each upload a photo (distinct bytes every time), poll its
/// status until it is final and upload the next, M uploads in all. Reports uploads/s over the timed run and the
/// time from sending an upload to the job's <c>finished_at</c>.
/// </summary>
internal static class EndToEnd
{
    public static async Task<int> RunAsync(string[] args, string images)
    {
        var siloCounts = (ClusterBench.Option(args, "--silos") ?? "1").Split(',').Select(s => int.Parse(s, CultureInfo.InvariantCulture)).ToList();
        var uploads = ClusterBench.IntOption(args, "--uploads", 30);
        var concurrency = ClusterBench.IntOption(args, "--concurrency", 4);
        var idle = ClusterBench.IntOption(args, "--idle", 10);
        var siloSettings = ClusterBench.SiloSettings(args);
        if (ClusterBench.Image(args, images) is not { } image) return 2;

        Console.WriteLine($"Pixerve end-to-end bench: {Environment.ProcessorCount} cores, load average {ClusterBench.LoadAverage()}; " +
                          $"{uploads} uploads of {Path.GetFileName(image)} by {concurrency} clients, {ClusterBench.JobDescription}; " +
                          $"idle acknowledgements from {idle} uploads one at a time first; silo settings: {ClusterBench.Describe(siloSettings)}.");
        var rows = new List<string>
        {
            "| silos | uploads | clients | wall (s) | uploads/s | p50 upload→completed (s) | p99 upload→completed (s) | not completed | ack p50 / p99 idle (ms) | ack p50 / p99 under load (ms) | p99 load / idle |",
            "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
        };
        foreach (var silos in siloCounts)
        {
            Console.WriteLine($"running {silos} silo(s) ...");
            var result = await RunClusterAsync(silos, uploads, concurrency, idle, siloSettings, await File.ReadAllBytesAsync(image));
            var (idle99, load99) = (Percentile(result.IdleAcks, 0.99), Percentile(result.LoadAcks, 0.99));
            rows.Add(FormattableString.Invariant(
                $"| {silos} | {uploads} | {concurrency} | {result.Wall.TotalSeconds:F1} | {uploads / result.Wall.TotalSeconds:F2} | {Percentile(result.Latencies, 0.50):F2} | {Percentile(result.Latencies, 0.99):F2} | {result.NotCompleted} | {Percentile(result.IdleAcks, 0.50) * 1000:F0} / {idle99 * 1000:F0} | {Percentile(result.LoadAcks, 0.50) * 1000:F0} / {load99 * 1000:F0} | {load99 / idle99:F1}× |"));
            Console.WriteLine($"  load average after: {ClusterBench.LoadAverage()}");
        }

        Console.WriteLine();
        foreach (var row in rows) Console.WriteLine(row);
        return 0;
    }

    private static async Task<(TimeSpan Wall, List<double> Latencies, int NotCompleted, List<double> IdleAcks, List<double> LoadAcks)> RunClusterAsync(
        int silos, int uploads, int concurrency, int idle, IReadOnlyDictionary<string, string> siloSettings, byte[] photo)
    {
        await using var cluster = await ClusterBench.StartAsync(silos, siloSettings, durableStorage: false);
        var http = cluster.Http;

        var token = ClusterBench.Token();
        var sequence = 0;
        // Warm-up, untimed: JIT and native libraries on every silo, grain activations, Azurite's containers.
        await RunClientsAsync(http, token, photo, () => Interlocked.Increment(ref sequence), 2 * silos, concurrency);

        // Idle: one upload at a time, each after the previous job is done, so nothing converts while it is acknowledged.
        var idleResults = await RunClientsAsync(http, token, photo, () => Interlocked.Increment(ref sequence), idle, 1);

        var started = Stopwatch.GetTimestamp();
        var results = await RunClientsAsync(http, token, photo, () => Interlocked.Increment(ref sequence), uploads, concurrency);
        var wall = Stopwatch.GetElapsedTime(started);
        var completed = results.Where(r => r.Status == "completed").Select(r => r.Seconds).ToList();
        // Under load: every acknowledgement of the timed run but the first round's, which arrive before any conversion runs.
        var loadAcks = results.OrderBy(r => r.Sent).Skip(concurrency).Select(r => r.Ack).ToList();
        return (wall, completed, results.Count - completed.Count, idleResults.Select(r => r.Ack).ToList(), loadAcks);
    }

    /// <summary><paramref name="count"/> uploads by <paramref name="concurrency"/> clients, each waiting for its job before the next.</summary>
    private static async Task<List<(string Status, double Seconds, double Ack, DateTimeOffset Sent)>> RunClientsAsync(HttpClient http, string token, byte[] photo,
        Func<int> next, int count, int concurrency)
    {
        var remaining = count;
        var results = new List<(string, double, double, DateTimeOffset)>();
        await Task.WhenAll(Enumerable.Range(0, concurrency).Select(async _ =>
        {
            while (Interlocked.Decrement(ref remaining) >= 0)
            {
                var result = await UploadAndWaitAsync(http, token, photo, next());
                lock (results) results.Add(result);
            }
        }));
        return results;
    }

    /// <returns>The job's final status, upload→finished seconds, and the acknowledgement: upload sent → answer read.</returns>
    private static async Task<(string Status, double Seconds, double Ack, DateTimeOffset Sent)> UploadAndWaitAsync(HttpClient http, string token, byte[] photo, int number)
    {
        var (hash, error, ack, sent) = await ClusterBench.UploadAsync(http, token, photo, number);
        if (hash is null) return (error!, 0, ack, sent);

        while (true)
        {
            await Task.Delay(100);
            using var poll = new HttpRequestMessage(HttpMethod.Get, $"/status?hash={hash}");
            poll.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
            using var answer = await http.SendAsync(poll);
            if (!answer.IsSuccessStatusCode) continue;
            var status = await answer.Content.ReadFromJsonAsync<JsonElement>();
            var state = status.GetProperty("status").GetString()!;
            if (state is not ("completed" or "failed" or "cancelled")) continue;
            // The job's own finish time (same machine, same clock), so the poll interval does not count.
            return (state, (status.GetProperty("finished_at").GetDateTimeOffset() - sent).TotalSeconds, ack, sent);
        }
    }

    /// <summary>Nearest-rank percentile; with 30 samples p99 is the slowest one.</summary>
    private static double Percentile(List<double> values, double p)
    {
        if (values.Count == 0) return double.NaN;
        var sorted = values.Order().ToList();
        return sorted[Math.Clamp((int)Math.Ceiling(p * sorted.Count) - 1, 0, sorted.Count - 1)];
    }
}
