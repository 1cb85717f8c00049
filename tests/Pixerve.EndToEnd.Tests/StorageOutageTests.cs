using System.Diagnostics;
using Xunit.Abstractions;
using Pixerve.ServiceDefaults;
using Pixerve.Testing;
using Pixerve.Testing.Fixtures;

namespace Pixerve.EndToEnd.Tests;

/// <summary>
/// The cluster as README's "Run a cluster" starts it (two silo processes, two gateways), under load while its storage
/// account (Azurite: staging, job records, membership, reminders) goes away, or with the postgres cluster provider its
/// PostgreSQL (job records, membership, reminders): uploads meanwhile are refused with 503 and Retry-After, never a 500;
/// the gateways' readiness fails and comes back; nothing acknowledged is lost.
/// </summary>
[Collection(ProcessClusterCollection.Name)]
public sealed class StorageOutageTests(ITestOutputHelper output)
{
    private const string AdminToken = "outage-admin-token-0123456789abcdefghijkl";
    private static readonly TimeSpan Outage = TimeSpan.FromSeconds(20);
    private readonly string _subDir = $"outage/{Guid.NewGuid():N}";

    private static Dictionary<string, string> Settings()
    {
        var settings = LoadEventReport.ClusterSettings(AdminToken);
        // Every client here is 127.0.0.1 with one subject, and sends a refused upload again after a second (not the 5 s
        // Retry-After asks for): the rate limits are not what this test is about.
        settings["Pixerve:RateLimits:UploadsPerMinutePerIp"] = "100000";
        settings["Pixerve:RateLimits:UploadsPerMinutePerSubject"] = "100000";
        return settings;
    }

    private string Token() => LoadEventReport.JobToken(_subDir);

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

    [Fact]
    public async Task Postgres_stopped_and_restarted_under_load_refuses_uploads_with_503_and_loses_nothing()
    {
        await using var cluster = await ProcessCluster.StartAsync(2, PixerveFixture.JwtSecret, Settings(), provider: ClusterProvider.Postgres);
        // Membership, job state and reminders are in PostgreSQL (staging stays in Azurite): an immediate shutdown, as a crash.
        await RunOutageAsync(cluster, "PostgreSQL (cluster provider) stopped for 20 s and restarted on its data (2 silos, 2 gateways)", async () =>
        {
            await cluster.Postgres.StopAsync();
            return cluster.Postgres.RestartAsync;
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
        var finals = await LoadEventReport.WaitForOutputsThenStatusesAsync(load, cluster.ServeDir, _subDir, gateways[1], token, TimeSpan.FromMinutes(2));
        output.WriteLine(LoadEventReport.Line(load, finals, outageStarted, outageEnded, run, "the outage"));

        LoadEventReport.AssertNothingLost(load, finals);
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
            var answer = await LoadEventReport.ReadyStatusAsync(gateway);
            if (wanted(answer)) return $"{answer} after {(DateTimeOffset.UtcNow - started).TotalSeconds:F1} s";
            if (DateTimeOffset.UtcNow > deadline) return $"{answer} (deadline)";
            await Task.Delay(200);
        }
    }
}
