using System.Diagnostics;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Azure.Storage.Blobs;
using Xunit.Abstractions;
using Pixerve.ServiceDefaults;
using Pixerve.Testing;
using Pixerve.Testing.Fixtures;

namespace Pixerve.EndToEnd.Tests;

/// <summary>
/// The cluster as README's "Run a cluster" starts it (three silo processes), one of the silos SIGKILLed in each test:
/// mid-queue, with nothing asking the jobs anything; and loaded by 16 clients through two gateways: nothing acknowledged
/// is lost, no answer is a 5xx but a 503 with Retry-After, every completed job is listed, and staging is empty at the
/// end. Both share one cluster (<see cref="ThreeSiloCluster"/>): each test starts the silo the other killed again first.
/// Run once per cluster provider (the subclasses below): the guarantees are the same whichever store keeps membership,
/// grain state and reminders.
/// </summary>
[Collection(ProcessClusterCollection.Name)]
public abstract class ClusterFailoverTests(ThreeSiloCluster threeSilos, ITestOutputHelper output)
{
    internal const string AdminToken = "failover-admin-token-0123456789abcdefghij";

    /// <summary>The silos' <c>Pixerve:Jobs:ResumePeriod</c>.</summary>
    internal static readonly TimeSpan ResumePeriod = TimeSpan.FromSeconds(2);

    /// <summary>About how long the silos below take to declare a dead one dead (two missed 1 s probes, a 2 s table refresh), doubled.</summary>
    internal static readonly TimeSpan MembershipTimeout = TimeSpan.FromSeconds(8);

    /// <summary>
    /// How long after the kill (or the restart) every acknowledged job has its outputs: a reminder period and a
    /// death declaration to resume the dead silo's jobs, and a margin for the rest of the load and what is queued.
    /// </summary>
    internal static readonly TimeSpan OutputsDeadline = ResumePeriod + MembershipTimeout + TimeSpan.FromSeconds(40);

    /// <summary>
    /// The staging sweep asks a job with a staged upload older than this for its status, which resumes it: the
    /// outputs must be waited for before any upload is that old, or the sweep, not the reminder, may have brought
    /// a job back.
    /// </summary>
    internal static readonly TimeSpan StagingMaxAge = TimeSpan.FromMinutes(2);

    private const int Jobs = 30;

    /// <summary>How soon a dead silo's job leaves <c>processing</c>: its reminder's period, the death declaration, a margin for the survivors' queues.</summary>
    private static readonly TimeSpan InFlightDeadline = ResumePeriod + MembershipTimeout + TimeSpan.FromSeconds(45);

    /// <param name="stagingMaxAge">The sweep's <c>Pixerve:Staging:MaxAge</c>: leaked uploads are gone this long after they were staged.</param>
    internal static Dictionary<string, string> Settings(TimeSpan stagingMaxAge) => new()
    {
        ["Pixerve:AdminToken"] = AdminToken,
        ["Pixerve:Jobs:Concurrency"] = "1",
        ["Pixerve:Jobs:ResumePeriod"] = $"{ResumePeriod:c}",
        // Leaked uploads are swept within the test, yet not while a submission that began before the kill may
        // still land (a reminder service taking over waits up to 20 s, the gateway's calls 10 s each), nor before
        // the outputs were waited for (see StagingMaxAge).
        ["Pixerve:Staging:SweepPeriod"] = "00:00:05",
        ["Pixerve:Staging:MaxAge"] = $"{stagingMaxAge:c}",
        // Declare a dead silo within seconds rather than the production default of about a minute.
        ["Pixerve:Cluster:Membership:ProbeTimeout"] = "00:00:01",
        ["Pixerve:Cluster:Membership:NumMissedProbesLimit"] = "2",
        ["Pixerve:Cluster:Membership:NumVotesForDeathDeclaration"] = "1",
        ["Pixerve:Cluster:Membership:TableRefreshTimeout"] = "00:00:02",
    };

    internal static string Token(string subDir) => TestTokens.Mint(PixerveFixture.JwtSecret, new
    {
        formats = new { jpg = new { sizes = new[] { new[] { 400 } } } },
        directHost = true,
        subDir,
    }, expires: DateTimeOffset.UtcNow.AddHours(1));

    [Fact]
    public async Task Sigkill_of_one_of_three_silos_under_load_loses_nothing_and_answers_only_503s()
    {
        var cluster = await threeSilos.AllRunningAsync();
        var gateways = new[] { cluster.Http, await threeSilos.SecondGatewayAsync() };
        var subDir = $"failover/{Guid.NewGuid():N}";
        var load = new FailoverLoad(gateways, Token(subDir));

        var startedAt = DateTimeOffset.UtcNow;
        var run = load.RunAsync(uploads: 60, clients: 16, signalAfter: 20, deadline: TimeSpan.FromMinutes(4));
        await Task.WhenAny(load.ThresholdReached.Task, run);
        var victim = await BusiestSiloAsync(cluster);
        cluster.Silos[victim].Kill();
        var killedAt = DateTimeOffset.UtcNow;
        await run;

        await WaitForOutputsAsync(output, cluster, load, subDir, startedAt, killedAt, "the kill", StagingMaxAge);
        var finals = await load.WaitUntilAllFinalAsync(gateways[1], TimeSpan.FromMinutes(1));
        await AssertNothingLostAsync(cluster, load, finals, gateways[0]);
        Report(output, load, finals, killedAt, $"3 silos, 2 gateways; silo {victim} SIGKILLed after 20 acknowledgements");
    }

    [Fact]
    public async Task Sigkill_of_a_silo_process_mid_queue_loses_no_job()
    {
        var cluster = await threeSilos.AllRunningAsync();
        var (http, silos) = (cluster.Http, cluster.Silos);
        const string subDir = "sigkill";
        var token = TestTokens.Mint(PixerveFixture.JwtSecret, new
        {
            // About a second of work per job, so a silo's queue is still full when it dies.
            formats = new
            {
                png = new { sizes = new[] { new[] { 1920 } } },
                webp = new { sizes = new[] { new[] { 1920 }, new[] { 800 } } },
                jpg = new { sizes = new[] { new[] { 1200 } } },
            },
            directHost = true,
            subDir,
        });
        var photo = await File.ReadAllBytesAsync(RepositoryPaths.Image("photo-1920x1280-canon.jpg"));
        var jobs = new List<ExpectedOutputs>();
        var firstUploadAt = DateTimeOffset.UtcNow;
        for (var i = 0; i < Jobs; i++)
        {
            // Bytes after the JPEG end marker are ignored by decoders but make each upload a distinct job.
            var content = new MultipartFormDataContent { { new ByteArrayContent([.. photo, (byte)i]), "file", $"photo-{i}.jpg" } };
            using var request = new HttpRequestMessage(HttpMethod.Post, "/upload") { Content = content };
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
            using var response = await http.SendAsync(request);
            await HttpAssert.AssertOk(response);
            jobs.Add(ExpectedOutputs.FromUploadAnswer(await response.Content.ReadFromJsonAsync<JsonElement>(), subDir, $"photo-{i}.jpg"));
        }

        // Kill the last silo while it is converting, with the rest of the queue still waiting.
        var victim = silos[^1];
        var victimTag = $":{victim.SiloPort}:"; // SiloAddress reads S{ip}:{port}:{generation}
        var seen = new List<JsonElement>();
        ExpectedOutputs? inFlight = null;
        await Poll.UntilAsync(async () =>
        {
            // Ask job by job and stop at the first the victim converts, so the kill follows right after.
            seen = [];
            foreach (var job in jobs)
            {
                var status = (await StatusesAsync(http, [job.Hash], token)).SingleOrDefault();
                if (status.ValueKind != JsonValueKind.Object) continue;
                seen.Add(status);
                if (status.GetProperty("status").GetString() == "processing" &&
                    status.GetProperty("processed_by").GetString()!.Contains(victimTag))
                {
                    inFlight = job;
                    return true;
                }
            }

            return false;
        }, TimeSpan.FromMinutes(1), "the victim silo to be converting");
        victim.Kill();
        var killedAt = DateTimeOffset.UtcNow;
        var killed = Stopwatch.StartNew();
        var unfinished = seen.Count(s => s.GetProperty("status").GetString() is "pending" or "processing");

        // From here on nothing asks a job anything (a status read would queue it again by itself): the outputs
        // must appear because the dead silo's jobs were resumed by their reminders. The job caught converting first,
        // within its own deadline, then every job at once under one deadline.
        // The staging sweep would ask a job whose upload is StagingMaxAge old for its status, which resumes it: every
        // output must be there before then, or the sweep, not the reminder, may have brought a job back.
        var sweepMayResumeAt = firstUploadAt + StagingMaxAge;
        Assert.True(killedAt + InFlightDeadline < sweepMayResumeAt,
            $"the in-flight deadline falls {(killedAt + InFlightDeadline - sweepMayResumeAt).TotalSeconds:F0} s after the staging sweep may have resumed jobs");
        var inFlightTook = await ServedFiles.WaitForAsync(cluster.ServeDir, [inFlight!], InFlightDeadline,
            "the job the killed silo was converting, resumed by its reminder");
        var took = await ServedFiles.WaitForAsync(cluster.ServeDir, jobs, sweepMayResumeAt - DateTimeOffset.UtcNow,
            "every job, the killed silo's resumed by their reminders, before the staging sweep may have resumed any");
        output.WriteLine($"{unfinished} of {Jobs} jobs were not final when the silo was killed; the one it was converting had its outputs " +
                         $"{inFlightTook.Values.Single().TotalSeconds:F1} s later (deadline {InFlightDeadline.TotalSeconds:F0} s), all jobs " +
                         $"{killed.Elapsed.TotalSeconds:F1} s later");

        // Only now, with every output stored, are the jobs looked at.
        var final = new List<JsonElement>();
        foreach (var job in jobs) final.Add(await WaitUntilFinalAsync(http, job.Hash, token));
        output.WriteLine($"Attempts: {string.Join(",", final.Select(f => f.GetProperty("attempts").GetInt32()))}");

        Assert.True(unfinished > 0);
        Assert.All(final, f => Assert.Equal("completed", f.GetProperty("status").GetString()));
        Assert.All(final, f => Assert.Equal(4, f.GetProperty("files").GetArrayLength()));
        // Work was spread: more than one silo converted, and the survivors picked up what the victim held.
        var converters = final.Select(f => f.GetProperty("processed_by").GetString()!.Split(':')[1]).Distinct().ToList();
        output.WriteLine($"jobs converted per silo port: {string.Join(", ", final.GroupBy(f => f.GetProperty("processed_by").GetString()!.Split(':')[1]).Select(g => $"{g.Key}={g.Count()}"))}");
        Assert.True(converters.Count > 1, "encoding ran on more than one silo");
        Assert.Contains(final, f => !f.GetProperty("processed_by").GetString()!.Contains(victimTag));

        // The job the victim was converting ran again on a survivor, unless it finished in the instant before the kill.
        var rerun = final.Single(f => f.GetProperty("job_id").GetString() == inFlight!.JobId);
        if (rerun.GetProperty("finished_at").GetDateTimeOffset() > killedAt)
        {
            Assert.True(rerun.GetProperty("attempts").GetInt32() >= 2, $"the killed silo's job ran once: {rerun}");
            Assert.DoesNotContain(victimTag, rerun.GetProperty("processed_by").GetString());
        }
    }

    private static async Task<List<JsonElement>> StatusesAsync(HttpClient http, IEnumerable<string> hashes, string token)
    {
        var statuses = new List<JsonElement>();
        foreach (var hash in hashes)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, $"/status?hash={hash}");
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
            using var response = await http.SendAsync(request);
            if (response.IsSuccessStatusCode) statuses.Add(await response.Content.ReadFromJsonAsync<JsonElement>());
        }

        return statuses;
    }

    private static async Task<JsonElement> WaitUntilFinalAsync(HttpClient http, string hash, string token)
    {
        JsonElement last = default;
        await Poll.UntilAsync(async () =>
        {
            var status = await StatusesAsync(http, [hash], token);
            if (status.Count == 0) return false;
            last = status[0];
            return last.GetProperty("status").GetString() is "completed" or "failed" or "cancelled";
        }, TimeSpan.FromMinutes(3), $"job {hash} to finish");
        return last;
    }

    /// <summary>
    /// Waits for every acknowledged job's outputs, <see cref="OutputsDeadline"/> from <paramref name="from"/>, without
    /// asking any job anything: a status read queues a pending job again by itself, so only files show that the dead
    /// silo's jobs were resumed by their reminders. Statuses are read after this, once all outputs exist.
    /// </summary>
    internal static async Task WaitForOutputsAsync(ITestOutputHelper output, ProcessCluster cluster, FailoverLoad load, string subDir,
        DateTimeOffset startedAt, DateTimeOffset from, string since, TimeSpan stagingMaxAge)
    {
        var deadline = from + OutputsDeadline;
        Assert.True(deadline < startedAt + stagingMaxAge,
            $"the outputs deadline ({(deadline - startedAt).TotalSeconds:F0} s into the run) falls after the staging sweep may have resumed jobs");
        var took = await load.WaitForOutputsAsync(cluster.ServeDir, subDir, deadline - DateTimeOffset.UtcNow,
            $"the killed silo's jobs resumed by their reminders, {OutputsDeadline.TotalSeconds:F0} s from {since}, nobody reading their status");
        output.WriteLine($"every acknowledged job's outputs were stored {(DateTimeOffset.UtcNow - from).TotalSeconds:F1} s after {since} " +
                         $"({took.Values.Max().TotalSeconds:F1} s after the load ended; deadline {OutputsDeadline.TotalSeconds:F0} s)");
    }

    internal static async Task AssertNothingLostAsync(ProcessCluster cluster, FailoverLoad load, Dictionary<string, JsonElement> finals, HttpClient gateway)
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

    internal static void Report(ITestOutputHelper output, FailoverLoad load, Dictionary<string, JsonElement> finals, DateTimeOffset killedAt, string run)
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

/// <summary>One silo, SIGKILLed under load and started again: nothing acknowledged is lost and uploads are accepted again.</summary>
[Collection(ProcessClusterCollection.Name)]
public sealed class LoneSiloRestartTests(ITestOutputHelper output)
{
    /// <summary>
    /// Submissions cut by the kill leave their uploads staged, and the test waits for the sweep to remove them; the
    /// sweep must still wait until the outputs were (see <see cref="ClusterFailoverTests.WaitForOutputsAsync"/>): the
    /// outputs deadline, from the restart about 15 s into the run, plus a margin for a slow restart.
    /// </summary>
    private static readonly TimeSpan StagingMaxAge = TimeSpan.FromSeconds(80);

    [Fact]
    public async Task A_lone_silo_killed_and_restarted_loses_nothing_and_uploads_are_accepted_again()
    {
        await using var cluster = await ProcessCluster.StartAsync(1, PixerveFixture.JwtSecret, ClusterFailoverTests.Settings(StagingMaxAge));
        var subDir = $"failover/{Guid.NewGuid():N}";
        var load = new FailoverLoad([cluster.Http], ClusterFailoverTests.Token(subDir));

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

        await ClusterFailoverTests.WaitForOutputsAsync(output, cluster, load, subDir, startedAt, listeningAt, "the restarted silo listened",
            StagingMaxAge);
        var finals = await load.WaitUntilAllFinalAsync(cluster.Http, TimeSpan.FromMinutes(1));
        await ClusterFailoverTests.AssertNothingLostAsync(cluster, load, finals, cluster.Http);
        var firstAccepted = load.Answers.Where(a => a.Status == 200 && a.At > listeningAt).Select(a => a.At).DefaultIfEmpty().Min();
        output.WriteLine($"first upload accepted {(firstAccepted - listeningAt).TotalSeconds:F1} s after the restarted silo listened " +
            $"({(listeningAt - killedAt).TotalSeconds:F1} s after the kill)");
        ClusterFailoverTests.Report(output, load, finals, killedAt, "1 silo killed, restarted 3 s later");
    }
}

/// <summary>README's cluster on the default provider: membership, grain state and reminders in Azure Storage (Azurite).</summary>
public sealed class AzureClusterFailoverTests(AzureThreeSiloCluster threeSilos, ITestOutputHelper output)
    : ClusterFailoverTests(threeSilos, output), IClassFixture<AzureThreeSiloCluster>;

/// <summary>The same cluster with membership, grain state and reminders in PostgreSQL (staging still in Azurite).</summary>
public sealed class PostgresClusterFailoverTests(PostgresThreeSiloCluster threeSilos, ITestOutputHelper output)
    : ClusterFailoverTests(threeSilos, output), IClassFixture<PostgresThreeSiloCluster>;

public sealed class AzureThreeSiloCluster() : ThreeSiloCluster(ClusterProvider.Azure);

public sealed class PostgresThreeSiloCluster() : ThreeSiloCluster(ClusterProvider.Postgres);

/// <summary>
/// Three silo processes and a gateway on one cluster provider, started once for a <see cref="ClusterFailoverTests"/>
/// class: each of its tests kills a silo, and <see cref="AllRunningAsync"/> starts a killed one again (same ports and
/// settings) before the next.
/// </summary>
public abstract class ThreeSiloCluster(ClusterProvider provider) : IAsyncLifetime
{
    private ProcessCluster _cluster = null!;
    private HttpClient? _secondGateway;

    public async Task InitializeAsync() =>
        _cluster = await ProcessCluster.StartAsync(3, PixerveFixture.JwtSecret, ClusterFailoverTests.Settings(ClusterFailoverTests.StagingMaxAge),
            provider: provider,
            // Long enough for a loaded CI machine, short enough that polls of a dead silo's grains give up quickly.
            gatewaySettings: "--Pixerve:Gateway:GrainCallTimeout=00:00:10");

    /// <summary>The cluster with all three silos running and active, a killed one started again first.</summary>
    public async Task<ProcessCluster> AllRunningAsync()
    {
        var restarted = new List<SiloProcess>();
        for (var i = 0; i < _cluster.Silos.Count; i++)
        {
            if (!_cluster.Silos[i].HasExited) continue;
            restarted.Add(await _cluster.RestartSiloAsync(i));
        }

        // A restarted silo listens once it is active, which it becomes after declaring its killed predecessor (same
        // address, older generation) dead: then the membership table lists each silo once.
        await Poll.UntilAsync(async () =>
        {
            if (!restarted.All(s => ServerProcess.Listening(s.GatewayPort))) return false;
            var active = await _cluster.ActiveSilosAsync();
            return active.Count == _cluster.Silos.Count && _cluster.Silos.All(s => active.Count(a => a.Endpoint.Port == s.SiloPort) == 1);
        }, TimeSpan.FromMinutes(1), "every silo to be active");
        return _cluster;
    }

    /// <summary>A second gateway on the cluster, started on first use.</summary>
    public async Task<HttpClient> SecondGatewayAsync() => _secondGateway ??= await _cluster.AddGatewayAsync();

    public async Task DisposeAsync()
    {
        _secondGateway?.Dispose();
        if (_cluster is not null) await _cluster.DisposeAsync();
    }
}
