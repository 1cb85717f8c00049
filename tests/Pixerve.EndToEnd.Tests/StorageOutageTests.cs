using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Pixerve.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Pixerve.Tests.Failover;

/// <summary>
/// The cluster as README's "Run a cluster" starts it (two silo processes, two gateways), under load while its storage
/// account (Azurite: staging, job records, membership, reminders) goes away: uploads meanwhile are refused with 503
/// and Retry-After, never a 500; the gateways' readiness fails and comes back; nothing acknowledged is lost.
/// </summary>
[Collection(ProcessClusterCollection.Name)]
public sealed class StorageOutageTests(ITestOutputHelper output)
{
    private const string AdminToken = "outage-admin-token-0123456789abcdefghijkl";
    private static readonly TimeSpan Outage = TimeSpan.FromSeconds(20);
    private readonly string _subDir = $"outage/{Guid.NewGuid():N}";

    private static Dictionary<string, string> Settings() => new()
    {
        ["Pixerve:AdminToken"] = AdminToken,
        ["Pixerve:Jobs:Concurrency"] = "1",
        ["Pixerve:Jobs:ResumePeriod"] = "00:00:10",
        ["Pixerve:Silo:ShutdownGrace"] = "00:01:40",
        ["Pixerve:Gateway:ShutdownDelay"] = "00:00:02",
        // Declare a dead silo within seconds rather than the production default of about a minute.
        ["Pixerve:Cluster:Membership:ProbeTimeout"] = "00:00:01",
        ["Pixerve:Cluster:Membership:NumMissedProbesLimit"] = "2",
        ["Pixerve:Cluster:Membership:NumVotesForDeathDeclaration"] = "1",
        ["Pixerve:Cluster:Membership:TableRefreshTimeout"] = "00:00:02",
    };

    private string Token() => TestTokens.Mint(PixerveFixture.JwtSecret, new
    {
        formats = new { jpg = new { sizes = new[] { new[] { 400 } } } },
        directHost = true,
        subDir = _subDir,
    }, expires: DateTimeOffset.UtcNow.AddHours(1));

    [Fact]
    public async Task Storage_hanging_for_20_s_under_load_refuses_uploads_with_503_and_loses_nothing()
    {
        await using var cluster = await ProcessCluster.StartAsync(2, PixerveFixture.JwtSecret, Settings());
        await RunOutageAsync(cluster, "Azurite SIGSTOPped for 20 s (2 silos, 2 gateways)", () =>
        {
            cluster.Azurite.Pause();
            return Task.FromResult<Func<Task>>(() =>
            {
                cluster.Azurite.Resume();
                return Task.CompletedTask;
            });
        });
    }

    [Fact]
    public async Task Storage_stopped_and_restarted_on_its_data_under_load_refuses_uploads_with_503_and_loses_nothing()
    {
        await using var cluster = await ProcessCluster.StartAsync(2, PixerveFixture.JwtSecret, Settings(), durableStorage: true);
        await RunOutageAsync(cluster, "Azurite stopped for 20 s and restarted on its data (2 silos, 2 gateways)", async () =>
        {
            // SIGTERM first: Azurite saves its data at once (it would lose its last 5 s to a bare SIGKILL, which a real
            // storage account never does), stops answering, yet keeps open connections hanging until it is SIGKILLed.
            var clock = Stopwatch.StartNew();
            var killed = await cluster.Azurite.StopAsync(grace: TimeSpan.FromSeconds(3));
            output.WriteLine($"Azurite {(killed ? "had not exited 3 s after SIGTERM and was SIGKILLed" : "exited on SIGTERM")} " +
                $"{clock.Elapsed.TotalSeconds:F1} s after it");
            return cluster.Azurite.RestartAsync;
        });
    }

    /// <param name="takeStorageAway">Starts the outage; returns what ends it.</param>
    private async Task RunOutageAsync(ProcessCluster cluster, string run, Func<Task<Func<Task>>> takeStorageAway)
    {
        var gateways = new[] { cluster.Http, await cluster.AddGatewayAsync() };
        var token = Token();
        var load = new FailoverLoad(gateways, token);
        // Each client pauses between its uploads, so that some are sent during the outage and some after it.
        var runLoad = load.RunAsync(uploads: 60, clients: 16, signalAfter: 16, deadline: TimeSpan.FromMinutes(4), pause: TimeSpan.FromSeconds(2));
        await Task.WhenAny(load.ThresholdReached.Task, runLoad);

        var outageStarted = DateTimeOffset.UtcNow;
        var bringBack = await takeStorageAway();
        string readyDuringOutage;
        try
        {
            readyDuringOutage = await FirstReadinessAsync(gateways[0], answer => answer != "200", outageStarted + Outage);
        }
        finally
        {
            // The outage lasts its planned time (this is the event, not a wait for a result), then storage comes back.
            var left = outageStarted + Outage - DateTimeOffset.UtcNow;
            if (left > TimeSpan.Zero) await Task.Delay(left);
            await bringBack();
        }

        var outageEnded = DateTimeOffset.UtcNow;
        var readyAfter = await FirstReadinessAsync(gateways[0], answer => answer == "200", outageEnded + TimeSpan.FromMinutes(1));
        var readyAgainAfter = DateTimeOffset.UtcNow - outageEnded;
        output.WriteLine($"gateway readiness during the outage: {readyDuringOutage}; after it: {readyAfter} " +
            $"{readyAgainAfter.TotalSeconds:F1} s after storage came back");

        await runLoad;
        var finals = await WaitForOutputsThenReadStatusesAsync(cluster, load, gateways[1], token, TimeSpan.FromMinutes(2));
        Report(load, finals, outageStarted, outageEnded, run);

        Assert.All(load.Answers.Where(a => a.Status >= 500), a =>
        {
            Assert.Equal(503, a.Status);
            Assert.True(a.HasRetryAfter, "a 503 without Retry-After");
        });
        Assert.DoesNotContain(load.Answers, a => a.Status is not (200 or 503));
        Assert.Equal(load.Acknowledged.Count, finals.Count);
        Assert.All(finals, f => Assert.Equal("completed", f.Value.GetProperty("status").GetString()));
        Assert.NotEqual("200", readyDuringOutage.Split(' ')[0]);
        Assert.Equal("200", readyAfter.Split(' ')[0]);
        // An upload sent while storage is away is refused at once, so that its client tries again later.
        Assert.Contains(load.Answers, a => a.Status == 503 && a.At >= outageStarted && a.At <= outageEnded);
    }

    /// <summary>
    /// Polls /health/ready until an answer meets <paramref name="wanted"/> or <paramref name="deadline"/> passes; that
    /// answer ("503", "timeout"…) and when, or the last one with "(deadline)".
    /// </summary>
    private static async Task<string> FirstReadinessAsync(HttpClient gateway, Func<string, bool> wanted, DateTimeOffset deadline)
    {
        var started = DateTimeOffset.UtcNow;
        while (true)
        {
            var answer = await ReadyStatusAsync(gateway);
            if (wanted(answer)) return $"{answer} after {(DateTimeOffset.UtcNow - started).TotalSeconds:F1} s";
            if (DateTimeOffset.UtcNow > deadline) return $"{answer} (deadline)";
            await Task.Delay(200);
        }
    }

    /// <summary>The readiness probe's answer as a load balancer takes it: a status code, "refused", or "timeout" (2 s).</summary>
    private static async Task<string> ReadyStatusAsync(HttpClient gateway)
    {
        using var probe = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        try
        {
            using var response = await probe.GetAsync(new Uri(gateway.BaseAddress!, "/health/ready"));
            return ((int)response.StatusCode).ToString();
        }
        catch (HttpRequestException e) when (e.InnerException is System.Net.Sockets.SocketException)
        {
            return "refused";
        }
        catch (HttpRequestException)
        {
            return "broken";
        }
        catch (TaskCanceledException)
        {
            return "timeout";
        }
    }

    /// <summary>
    /// Waits for every acknowledged job's output in the serve directory, then reads each job's status: a /status read
    /// re-queues a pending job, so reading earlier would hide a recovery that never happens on its own.
    /// </summary>
    private async Task<Dictionary<string, JsonElement>> WaitForOutputsThenReadStatusesAsync(ProcessCluster cluster, FailoverLoad load,
        HttpClient gateway, string token, TimeSpan timeout)
    {
        var folder = Path.Combine(cluster.ServeDir, _subDir);
        var missing = new List<string>();
        try
        {
            await Poll.UntilAsync(() =>
            {
                var written = Directory.Exists(folder)
                    ? Directory.EnumerateFiles(folder, "*", SearchOption.AllDirectories).Select(Path.GetFileName)
                        .Where(name => !name!.EndsWith(".tmp", StringComparison.Ordinal)).Select(name => name![..name!.IndexOf('_')]).ToHashSet()
                    : [];
                missing = load.Acknowledged.Values.Where(hash => !written.Contains(hash)).ToList();
                return missing.Count == 0;
            }, timeout, "every acknowledged job's output");
        }
        catch (TimeoutException e)
        {
            var statuses = new List<string>();
            foreach (var hash in missing.Take(10)) statuses.Add($"{hash}: {await StatusTextAsync(gateway, token, hash)}");
            throw new TimeoutException($"{e.Message}: {missing.Count} of {load.Acknowledged.Count} missing; their statuses now:\n{string.Join("\n", statuses)}", e);
        }

        // The output is written before the job records itself completed: a job may be final a moment after its file.
        var finals = new ConcurrentDictionary<string, JsonElement>();
        await Poll.UntilAsync(async () =>
        {
            foreach (var (jobId, hash) in load.Acknowledged)
            {
                if (finals.ContainsKey(jobId)) continue;
                using var request = new HttpRequestMessage(HttpMethod.Get, $"/status?hash={hash}");
                request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
                using var response = await gateway.SendAsync(request);
                if (response.StatusCode != HttpStatusCode.OK) continue;
                var status = await response.Content.ReadFromJsonAsync<JsonElement>();
                if (status.GetProperty("status").GetString() is "completed" or "failed" or "cancelled") finals[jobId] = status;
            }

            return finals.Count == load.Acknowledged.Count;
        }, TimeSpan.FromSeconds(30), "every job with its output written to be final");
        return new Dictionary<string, JsonElement>(finals);
    }

    private static async Task<string> StatusTextAsync(HttpClient gateway, string token, string hash)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/status?hash={hash}");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        using var response = await gateway.SendAsync(request);
        return $"{(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}";
    }

    private void Report(FailoverLoad load, Dictionary<string, JsonElement> finals, DateTimeOffset eventStarted, DateTimeOffset eventEnded, string run)
    {
        var completed = finals.Values.Where(f => f.GetProperty("status").GetString() == "completed").ToList();
        var lastFinished = completed.Select(f => f.GetProperty("finished_at").GetDateTimeOffset()).DefaultIfEmpty(eventStarted).Max();
        // Acknowledgements of uploads in flight at some time during the event (sent before its end, answered after its start).
        var during = load.Answers.Where(a => a.Status == 200 && a.At >= eventStarted && a.At.AddSeconds(-a.Seconds) <= eventEnded)
            .Select(a => a.Seconds).Order().ToList();
        var p99 = during.Count == 0 ? double.NaN : during[(int)Math.Min(during.Count - 1, Math.Ceiling(0.99 * during.Count) - 1)];
        var slowest = load.Answers.Select(a => a.Seconds).DefaultIfEmpty(0).Max();
        var others = string.Join(", ", load.Answers.Where(a => a.Status is not (200 or 503)).GroupBy(a => a.Status).Select(g => $"{g.Key}×{g.Count()}"));
        output.WriteLine($"{run}: acknowledged {load.Acknowledged.Count}, completed {completed.Count}, 503s " +
            $"{load.Answers.Count(a => a.Status == 503)} ({load.Answers.Count(a => a.Status == 503 && a.At >= eventStarted && a.At <= eventEnded)} " +
            $"during the outage; other non-200s: {(others.Length > 0 ? others : "none")}), " +
            $"acknowledgement p99 during the outage {p99:F2} s ({during.Count} in flight in it), slowest answer {slowest:F1} s, last completion " +
            $"{(lastFinished - eventStarted).TotalSeconds:F1} s after the outage began, attempts max " +
            $"{finals.Values.Select(f => f.GetProperty("attempts").GetInt32()).DefaultIfEmpty(0).Max()}");
    }
}
