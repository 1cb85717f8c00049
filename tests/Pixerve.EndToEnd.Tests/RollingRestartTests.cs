using System.Diagnostics;
using System.Text.Json;
using Xunit.Abstractions;
using Pixerve.Testing;
using Pixerve.Testing.Fixtures;

namespace Pixerve.EndToEnd.Tests;

/// <summary>
/// The cluster as README's "Run a cluster" starts it (Azurite, azure clustering, three silo processes, two gateways),
/// under load while every silo, then every gateway, is stopped with SIGTERM and replaced in turn, as an orchestrator
/// rolls out a new version: nothing acknowledged is lost, no conversion runs twice, no answer is a 5xx but a 503 with
/// Retry-After.
/// </summary>
[Collection(ProcessClusterCollection.Name)]
public sealed class RollingRestartTests(ITestOutputHelper output)
{
    private const string AdminToken = "rolling-admin-token-0123456789abcdefghijk";
    private readonly string _subDir = $"rolling/{Guid.NewGuid():N}";

    /// <remarks>
    /// A SIGTERMed silo lets its running conversion finish (a conversion here takes about a second) and hands its queued
    /// jobs on at once; a stopping gateway answers 503 for a moment so that its load balancer looks away.
    /// </remarks>
    private static Dictionary<string, string> Settings() => LoadEventReport.ClusterSettings(AdminToken);

    private string Token() => LoadEventReport.JobToken(_subDir);

    [Fact]
    public async Task Every_silo_replaced_in_turn_under_load_loses_nothing_and_converts_nothing_twice()
    {
        await using var cluster = await ProcessCluster.StartAsync(3, PixerveFixture.JwtSecret, Settings());
        var gateways = new[] { cluster.Http, await cluster.AddGatewayAsync() };
        var token = Token();
        var load = new FailoverLoad(gateways, token);

        // Each client pauses between its uploads, so that the uploads span the whole roll, not only its first silo.
        var run = load.RunAsync(uploads: 90, clients: 16, signalAfter: 16, deadline: TimeSpan.FromMinutes(4), pause: TimeSpan.FromSeconds(10));
        await Task.WhenAny(load.ThresholdReached.Task, run);
        var rollStarted = DateTimeOffset.UtcNow;
        for (var i = 0; i < cluster.Silos.Count; i++)
        {
            var stopping = cluster.Silos[i];
            var port = stopping.SiloPort;
            var before = (await cluster.ActiveSilosAsync()).Single(a => a.Endpoint.Port == port);
            var clock = Stopwatch.StartNew();
            stopping.Terminate();
            using (var exit = new CancellationTokenSource(TimeSpan.FromMinutes(2)))
                await stopping.WaitForExitAsync(exit.Token);
            var exited = clock.Elapsed;
            var exitCode = stopping.ExitCode;

            var restarted = await cluster.RestartSiloAsync(i);
            await Poll.UntilAsync(async () =>
            {
                if (restarted.HasExited) throw new InvalidOperationException($"the restarted silo exited:\n{restarted.Output}");
                try
                {
                    return (await cluster.ActiveSilosAsync()).Any(a => a.Endpoint.Port == port && !a.Equals(before));
                }
                catch (Exception e) when (e is Orleans.Runtime.Messaging.ConnectionFailedException or Orleans.Runtime.SiloUnavailableException)
                {
                    // The question went to the silo that just left (the gateway's client had not yet dropped it): ask again.
                    return false;
                }
            }, TimeSpan.FromMinutes(2), $"silo {i}'s replacement to be active");
            output.WriteLine($"silo {i}: exited {exited.TotalSeconds:F1} s after SIGTERM (code {exitCode}), its replacement active " +
                $"{clock.Elapsed.TotalSeconds:F1} s after it; {load.Acknowledged.Count} uploads acknowledged so far");
        }

        var rollEnded = DateTimeOffset.UtcNow;
        await run;
        var finals = await LoadEventReport.WaitForOutputsThenStatusesAsync(load, cluster.ServeDir, _subDir, gateways[1], token, TimeSpan.FromMinutes(2));
        output.WriteLine(LoadEventReport.Line(load, finals, rollStarted, rollEnded, "3 silos SIGTERMed and replaced in turn, 2 gateways", "the roll"));
        AssertNothingLostNorConvertedTwice(load, finals);
    }

    [Fact]
    public async Task Every_gateway_replaced_in_turn_under_load_loses_nothing_and_answers_only_503s()
    {
        await using var cluster = await ProcessCluster.StartAsync(3, PixerveFixture.JwtSecret, Settings());
        var gateways = new[] { cluster.Http, await cluster.AddGatewayAsync() };
        var token = Token();
        // A connection that breaks mid-upload is a client's error to retry; counted, and the run goes on to show the rest.
        var load = new FailoverLoad(gateways, token) { RetryBrokenConnections = true };

        var run = load.RunAsync(uploads: 90, clients: 16, signalAfter: 16, deadline: TimeSpan.FromMinutes(4), pause: TimeSpan.FromSeconds(2));
        await Task.WhenAny(load.ThresholdReached.Task, run);
        var rollStarted = DateTimeOffset.UtcNow;
        var readyWhileStopping = new List<string>();
        for (var i = 0; i < gateways.Length; i++)
        {
            var clock = Stopwatch.StartNew();
            var stopped = cluster.StopGatewayAsync(i);
            // What the load balancer's readiness probe sees while the gateway stops: 503s first, then refused connections.
            var seen = await ProbeUntilAsync(gateways[i], stopped);
            await stopped;
            var stoppedAfter = clock.Elapsed;
            await cluster.RestartGatewayAsync(i);
            await Poll.UntilAsync(async () => await LoadEventReport.ReadyStatusAsync(gateways[i]) == "200", TimeSpan.FromMinutes(1), $"gateway {i}'s replacement to be ready");
            readyWhileStopping.Add(seen);
            output.WriteLine($"gateway {i}: stopped {stoppedAfter.TotalSeconds:F1} s after the stop began, its /health/ready meanwhile {seen}; " +
                $"replacement ready {clock.Elapsed.TotalSeconds:F1} s after it; {load.Acknowledged.Count} uploads acknowledged so far, " +
                $"{load.Refused} connections refused so far");
        }

        var rollEnded = DateTimeOffset.UtcNow;
        await run;
        var finals = await LoadEventReport.WaitForOutputsThenStatusesAsync(load, cluster.ServeDir, _subDir, gateways[1], token, TimeSpan.FromMinutes(2));
        output.WriteLine(LoadEventReport.Line(load, finals, rollStarted, rollEnded, "2 gateways stopped and replaced in turn, 3 silos", "the roll"));
        output.WriteLine($"connections refused by a stopped gateway (sent to the other): {load.Refused}; broken mid-request: " +
            $"{load.BrokenConnections.Count}{string.Concat(load.BrokenConnections.Select(b => $"\n  {b}"))}");
        AssertNothingLostNorConvertedTwice(load, finals);
        Assert.Empty(load.BrokenConnections);
        // A stopping gateway answers its readiness probe with 503 before it stops listening (Pixerve:Gateway:ShutdownDelay).
        Assert.All(readyWhileStopping, seen => Assert.Contains("503", seen));
    }

    /// <summary>Polls /health/ready until <paramref name="until"/> ends; the distinct answers in order, with counts ("200×3, 503×20, refused×1").</summary>
    private static async Task<string> ProbeUntilAsync(HttpClient gateway, Task until)
    {
        var seen = new List<(string Answer, int Count)>();
        do
        {
            var answer = await LoadEventReport.ReadyStatusAsync(gateway);
            if (seen.Count > 0 && seen[^1].Answer == answer) seen[^1] = (answer, seen[^1].Count + 1);
            else seen.Add((answer, 1));
            await Task.WhenAny(until, Task.Delay(100));
        } while (!until.IsCompleted);

        return string.Join(", ", seen.Select(s => $"{s.Answer}×{s.Count}"));
    }

    private static void AssertNothingLostNorConvertedTwice(FailoverLoad load, Dictionary<string, JsonElement> finals)
    {
        LoadEventReport.AssertNothingLost(load, finals);
        // A conversion that began on a stopping silo finished there; a queued job moved on before it began.
        Assert.All(finals, f => Assert.True(f.Value.GetProperty("attempts").GetInt32() == 1,
            $"job {f.Key} converted {f.Value.GetProperty("attempts").GetInt32()} times (last by {f.Value.GetProperty("processed_by")})"));
    }
}
