using System.Net.Http.Headers;
using System.Text.Json;
using Azure.Storage.Blobs;
using Xunit.Abstractions;
using Pixerve.ServiceDefaults;
using Pixerve.Testing;
using Pixerve.Testing.Fixtures;

namespace Pixerve.EndToEnd.Tests;

/// <summary>
/// The cluster as README's "Run a cluster" starts it (Azurite, azure clustering, silo processes, two gateways),
/// loaded by 16 clients while a silo is SIGKILLed: nothing acknowledged is lost, no answer is a 5xx but a 503
/// with Retry-After, every completed job is listed, and staging is empty at the end.
/// </summary>
[Collection(ProcessClusterCollection.Name)]
public sealed class ClusterFailoverTests(ITestOutputHelper output)
{
    private const string AdminToken = "failover-admin-token-0123456789abcdefghij";

    /// <summary>The silos' <c>Pixerve:Jobs:ResumePeriod</c>.</summary>
    private static readonly TimeSpan ResumePeriod = TimeSpan.FromSeconds(10);

    /// <summary>About how long the silos below take to declare a dead one dead (two missed 1 s probes, a 2 s table refresh), doubled.</summary>
    private static readonly TimeSpan MembershipTimeout = TimeSpan.FromSeconds(8);

    /// <summary>
    /// How long after the kill (or the restart) every acknowledged job has its outputs: a reminder period and a
    /// death declaration to resume the dead silo's jobs, and a margin for the rest of the load and what is queued.
    /// </summary>
    private static readonly TimeSpan OutputsDeadline = ResumePeriod + MembershipTimeout + TimeSpan.FromSeconds(40);

    /// <summary>
    /// The staging sweep asks a job with a staged upload older than this for its status, which resumes it: the
    /// outputs must be waited for before any upload is that old, or the sweep, not the reminder, may have brought
    /// a job back.
    /// </summary>
    private static readonly TimeSpan StagingMaxAge = TimeSpan.FromMinutes(2);

    private static Dictionary<string, string> Settings() => new()
    {
        ["Pixerve:AdminToken"] = AdminToken,
        ["Pixerve:Jobs:Concurrency"] = "1",
        ["Pixerve:Jobs:ResumePeriod"] = $"{ResumePeriod:c}",
        // Leaked uploads are swept within the test, yet not while a submission that began before the kill may
        // still land (a reminder service taking over waits up to 20 s, the gateway's calls 10 s each), nor before
        // the outputs were waited for (see StagingMaxAge).
        ["Pixerve:Staging:SweepPeriod"] = "00:00:05",
        ["Pixerve:Staging:MaxAge"] = $"{StagingMaxAge:c}",
        // Declare a dead silo within seconds rather than the production default of about a minute.
        ["Pixerve:Cluster:Membership:ProbeTimeout"] = "00:00:01",
        ["Pixerve:Cluster:Membership:NumMissedProbesLimit"] = "2",
        ["Pixerve:Cluster:Membership:NumVotesForDeathDeclaration"] = "1",
        ["Pixerve:Cluster:Membership:TableRefreshTimeout"] = "00:00:02",
    };

    private static string Token(string subDir) => TestTokens.Mint(PixerveFixture.JwtSecret, new
    {
        formats = new { jpg = new { sizes = new[] { new[] { 400 } } } },
        directHost = true,
        subDir,
    }, expires: DateTimeOffset.UtcNow.AddHours(1));

    [Fact]
    public async Task Sigkill_of_one_of_three_silos_under_load_loses_nothing_and_answers_only_503s()
    {
        await using var cluster = await ProcessCluster.StartAsync(3, PixerveFixture.JwtSecret, Settings());
        var gateways = new[] { cluster.Http, await cluster.AddGatewayAsync() };
        var subDir = $"failover/{Guid.NewGuid():N}";
        var load = new FailoverLoad(gateways, Token(subDir));

        var startedAt = DateTimeOffset.UtcNow;
        var run = load.RunAsync(uploads: 60, clients: 16, signalAfter: 20, deadline: TimeSpan.FromMinutes(4));
        await Task.WhenAny(load.ThresholdReached.Task, run);
        var victim = await BusiestSiloAsync(cluster);
        cluster.Silos[victim].Kill();
        var killedAt = DateTimeOffset.UtcNow;
        await run;

        await WaitForOutputsAsync(cluster, load, subDir, startedAt, killedAt, "the kill");
        var finals = await load.WaitUntilAllFinalAsync(gateways[1], TimeSpan.FromMinutes(1));
        await AssertNothingLostAsync(cluster, load, finals, gateways[0]);
        Report(load, finals, killedAt, $"3 silos, 2 gateways; silo {victim} SIGKILLed after 20 acknowledgements");
    }

    [Fact]
    public async Task A_lone_silo_killed_and_restarted_loses_nothing_and_uploads_are_accepted_again()
    {
        await using var cluster = await ProcessCluster.StartAsync(1, PixerveFixture.JwtSecret, Settings());
        var subDir = $"failover/{Guid.NewGuid():N}";
        var load = new FailoverLoad([cluster.Http], Token(subDir));

        var startedAt = DateTimeOffset.UtcNow;
        var run = load.RunAsync(uploads: 30, clients: 8, signalAfter: 10, deadline: TimeSpan.FromMinutes(4));
        await Task.WhenAny(load.ThresholdReached.Task, run);
        cluster.Silos[0].Kill();
        var killedAt = DateTimeOffset.UtcNow;
        await Task.Delay(TimeSpan.FromSeconds(3)); // the operator's restart, not a wait for a result
        var silo = await cluster.RestartSiloAsync(0);
        await Poll.UntilAsync(() => ServerProcess.Listening(silo.GatewayPort), TimeSpan.FromMinutes(1), "the restarted silo to listen");
        var listeningAt = DateTimeOffset.UtcNow;
        await run;

        await WaitForOutputsAsync(cluster, load, subDir, startedAt, listeningAt, "the restarted silo listened");
        var finals = await load.WaitUntilAllFinalAsync(cluster.Http, TimeSpan.FromMinutes(1));
        await AssertNothingLostAsync(cluster, load, finals, cluster.Http);
        var firstAccepted = load.Answers.Where(a => a.Status == 200 && a.At > listeningAt).Select(a => a.At).DefaultIfEmpty().Min();
        output.WriteLine($"first upload accepted {(firstAccepted - listeningAt).TotalSeconds:F1} s after the restarted silo listened " +
            $"({(listeningAt - killedAt).TotalSeconds:F1} s after the kill)");
        Report(load, finals, killedAt, "1 silo killed, restarted 3 s later");
    }

    /// <summary>
    /// Waits for every acknowledged job's outputs, <see cref="OutputsDeadline"/> from <paramref name="from"/>, without
    /// asking any job anything: a status read queues a pending job again by itself, so only files show that the dead
    /// silo's jobs were resumed by their reminders. Statuses are read after this, once all outputs exist.
    /// </summary>
    private async Task WaitForOutputsAsync(ProcessCluster cluster, FailoverLoad load, string subDir, DateTimeOffset startedAt,
        DateTimeOffset from, string since)
    {
        var deadline = from + OutputsDeadline;
        Assert.True(deadline < startedAt + StagingMaxAge,
            $"the outputs deadline ({(deadline - startedAt).TotalSeconds:F0} s into the run) falls after the staging sweep may have resumed jobs");
        var took = await load.WaitForOutputsAsync(cluster.ServeDir, subDir, deadline - DateTimeOffset.UtcNow,
            $"the killed silo's jobs resumed by their reminders, {OutputsDeadline.TotalSeconds:F0} s from {since}, nobody reading their status");
        output.WriteLine($"every acknowledged job's outputs were stored {(DateTimeOffset.UtcNow - from).TotalSeconds:F1} s after {since} " +
                         $"({took.Values.Max().TotalSeconds:F1} s after the load ended; deadline {OutputsDeadline.TotalSeconds:F0} s)");
    }

    private static async Task AssertNothingLostAsync(ProcessCluster cluster, FailoverLoad load, Dictionary<string, JsonElement> finals, HttpClient gateway)
    {
        Assert.All(finals, f => Assert.Equal("completed", f.Value.GetProperty("status").GetString()));
        Assert.All(load.Answers.Where(a => a.Status >= 500), a =>
        {
            Assert.Equal(503, a.Status);
            Assert.True(a.HasRetryAfter, "a 503 without Retry-After");
        });
        Assert.DoesNotContain(load.Answers, a => a.Status is not (200 or 503));

        // Every completed job is listed; nothing is left staged once all are final.
        await Poll.UntilAsync(async () =>
        {
            var listed = new HashSet<string>();
            string? cursor = null;
            do
            {
                using var request = new HttpRequestMessage(HttpMethod.Get, $"/success/list?limit=500{(cursor is null ? "" : $"&cursor={cursor}")}");
                request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", AdminToken);
                using var response = await gateway.SendAsync(request);
                if (!response.IsSuccessStatusCode) return false;
                var page = await System.Net.Http.Json.HttpContentJsonExtensions.ReadFromJsonAsync<JsonElement>(response.Content);
                foreach (var item in page.GetProperty("items").EnumerateArray()) listed.Add(item.GetProperty("job_id").GetString()!);
                cursor = page.GetProperty("next_cursor").GetString();
            } while (cursor is not null);
            return finals.Keys.All(listed.Contains);
        }, TimeSpan.FromMinutes(2), "/success/list to list every completed job");

        var staging = new BlobServiceClient(cluster.StorageConnectionString).GetBlobContainerClient(PixerveConfiguration.StagingContainer);
        var left = new List<string>();
        await Poll.UntilAsync(async () =>
        {
            left.Clear();
            await foreach (var blob in staging.GetBlobsAsync()) left.Add(blob.Name);
            return left.Count == 0;
        }, TimeSpan.FromMinutes(3), "the staging container to be empty");
    }

    /// <summary>The silo with the most jobs queued or running now (from /admin/stats), so the kill loses the most.</summary>
    private static async Task<int> BusiestSiloAsync(ProcessCluster cluster)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/admin/stats");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", AdminToken);
        using var response = await cluster.Http.SendAsync(request);
        await HttpAssert.AssertOk(response);
        var stats = await System.Net.Http.Json.HttpContentJsonExtensions.ReadFromJsonAsync<JsonElement>(response.Content);
        var busiest = stats.GetProperty("silos").EnumerateArray()
            .OrderByDescending(s => s.GetProperty("queued").GetInt32() + s.GetProperty("running").GetInt32())
            .Select(s => s.GetProperty("silo").GetString()!).FirstOrDefault();
        var index = cluster.Silos.FindIndex(s => busiest is not null && busiest.Contains($":{s.SiloPort}:"));
        return index < 0 ? 1 : index;
    }

    private void Report(FailoverLoad load, Dictionary<string, JsonElement> finals, DateTimeOffset killedAt, string run)
    {
        var lastFinished = finals.Values.Max(f => f.GetProperty("finished_at").GetDateTimeOffset());
        var accepted = load.Answers.Where(a => a.Status == 200).Select(a => a.Seconds).Order().ToList();
        var duringFailover = load.Answers.Where(a => a.Status == 200 && a.At >= killedAt).Select(a => a.Seconds).Order().ToList();
        double P(List<double> values, double q) => values.Count == 0 ? double.NaN : values[(int)Math.Min(values.Count - 1, Math.Ceiling(q * values.Count) - 1)];
        output.WriteLine($"{run}: {finals.Count} acknowledged jobs all completed; last completed {(lastFinished - killedAt).TotalSeconds:F1} s after the kill; " +
            $"{load.Answers.Count(a => a.Status == 503)} answers were 503 (all with Retry-After); acknowledgement p50 {P(accepted, 0.5):F2} s, " +
            $"p99 {P(accepted, 0.99):F2} s; after the kill p99 {P(duringFailover, 0.99):F2} s; attempts max " +
            $"{finals.Values.Max(f => f.GetProperty("attempts").GetInt32())}");
    }
}
