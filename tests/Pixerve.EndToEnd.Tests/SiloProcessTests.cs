using System.Diagnostics;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Xunit.Abstractions;
using Pixerve.Testing;
using Pixerve.Testing.Fixtures;

namespace Pixerve.EndToEnd.Tests;

/// <summary>Three real silo processes clustered through Azurite's membership table, one of them killed with SIGKILL.</summary>
[Collection(ProcessClusterCollection.Name)]
public sealed class SiloProcessTests(ITestOutputHelper output) : IAsyncLifetime
{
    private const int Silos = 3;
    private const int Jobs = 30;

    /// <summary>The silos' <c>Pixerve:Jobs:ResumePeriod</c>.</summary>
    private static readonly TimeSpan ResumePeriod = TimeSpan.FromSeconds(2);

    /// <summary>About how long the silos below take to declare a dead one dead (two missed 1 s probes, a 2 s table refresh), doubled.</summary>
    private static readonly TimeSpan MembershipTimeout = TimeSpan.FromSeconds(8);
    private ProcessCluster _cluster = null!;
    private HttpClient _http = null!;
    private List<SiloProcess> _silos = null!;

    public async Task InitializeAsync()
    {
        _cluster = await ProcessCluster.StartAsync(Silos, PixerveFixture.JwtSecret, new Dictionary<string, string>
        {
            ["Pixerve:Jobs:Concurrency"] = "1",
            ["Pixerve:Jobs:ResumePeriod"] = $"{ResumePeriod:c}",
            // Declare a dead silo within seconds rather than the production default of about a minute.
            ["Pixerve:Cluster:Membership:ProbeTimeout"] = "00:00:01",
            ["Pixerve:Cluster:Membership:NumMissedProbesLimit"] = "2",
            ["Pixerve:Cluster:Membership:NumVotesForDeathDeclaration"] = "1",
            ["Pixerve:Cluster:Membership:TableRefreshTimeout"] = "00:00:02",
        },
        // Long enough for a loaded CI machine, short enough that polls of a dead silo's grains give up quickly.
        gatewaySettings: "--Pixerve:Gateway:GrainCallTimeout=00:00:10");
        (_http, _silos) = (_cluster.Http, _cluster.Silos);
    }

    /// <summary>How soon a dead silo's job leaves <c>processing</c>: its reminder's period, the death declaration, a margin for the survivors' queues.</summary>
    private static readonly TimeSpan InFlightDeadline = ResumePeriod + MembershipTimeout + TimeSpan.FromSeconds(45);

    [Fact]
    public async Task Sigkill_of_a_silo_process_mid_queue_loses_no_job()
    {
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
        for (var i = 0; i < Jobs; i++)
        {
            // Bytes after the JPEG end marker are ignored by decoders but make each upload a distinct job.
            var content = new MultipartFormDataContent { { new ByteArrayContent([.. photo, (byte)i]), "file", $"photo-{i}.jpg" } };
            using var request = new HttpRequestMessage(HttpMethod.Post, "/upload") { Content = content };
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
            using var response = await _http.SendAsync(request);
            await HttpAssert.AssertOk(response);
            jobs.Add(ExpectedOutputs.FromUploadAnswer(await response.Content.ReadFromJsonAsync<JsonElement>(), subDir, $"photo-{i}.jpg"));
        }

        // Kill the last silo while it is converting, with the rest of the queue still waiting.
        var victim = _silos[^1];
        var victimTag = $":{victim.SiloPort}:"; // SiloAddress reads S{ip}:{port}:{generation}
        var seen = new List<JsonElement>();
        ExpectedOutputs? inFlight = null;
        await Poll.UntilAsync(async () =>
        {
            // Ask job by job and stop at the first the victim converts, so the kill follows right after.
            seen = [];
            foreach (var job in jobs)
            {
                var status = (await StatusesAsync([job.Hash], token)).SingleOrDefault();
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
        var inFlightTook = await ServedFiles.WaitForAsync(_cluster.ServeDir, [inFlight!], InFlightDeadline,
            "the job the killed silo was converting, resumed by its reminder");
        var took = await ServedFiles.WaitForAsync(_cluster.ServeDir, jobs, TimeSpan.FromMinutes(3), "every job, the killed silo's resumed by their reminders");
        output.WriteLine($"{unfinished} of {Jobs} jobs were not final when the silo was killed; the one it was converting had its outputs " +
                         $"{inFlightTook.Values.Single().TotalSeconds:F1} s later (deadline {InFlightDeadline.TotalSeconds:F0} s), all jobs " +
                         $"{killed.Elapsed.TotalSeconds:F1} s later");

        // Only now, with every output stored, are the jobs looked at.
        var final = new List<JsonElement>();
        foreach (var job in jobs) final.Add(await WaitUntilFinalAsync(job.Hash, token));
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

    private async Task<List<JsonElement>> StatusesAsync(IEnumerable<string> hashes, string token)
    {
        var statuses = new List<JsonElement>();
        foreach (var hash in hashes)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, $"/status?hash={hash}");
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
            using var response = await _http.SendAsync(request);
            if (response.IsSuccessStatusCode) statuses.Add(await response.Content.ReadFromJsonAsync<JsonElement>());
        }

        return statuses;
    }

    private async Task<JsonElement> WaitUntilFinalAsync(string hash, string token)
    {
        JsonElement last = default;
        await Poll.UntilAsync(async () =>
        {
            var status = await StatusesAsync([hash], token);
            if (status.Count == 0) return false;
            last = status[0];
            return last.GetProperty("status").GetString() is "completed" or "failed" or "cancelled";
        }, TimeSpan.FromMinutes(3), $"job {hash} to finish");
        return last;
    }

    public async Task DisposeAsync() => await _cluster.DisposeAsync();
}
