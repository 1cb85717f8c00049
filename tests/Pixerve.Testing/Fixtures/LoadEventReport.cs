using System.Net.Http.Headers;
using System.Text.Json;

namespace Pixerve.Testing.Fixtures;

/// <summary>
/// What the rolling-restart and storage-outage tests share: the readiness probe as a load balancer reads it, waiting
/// for the outputs before reading any status, the checks that nothing was lost or answered with another 5xx, and
/// the report line with the event's figures.
/// </summary>
public static class LoadEventReport
{
    /// <summary>
    /// The settings of a README cluster under an event: one conversion per silo, a 10 s resume period, the production
    /// shutdown grace, a 2 s gateway drain, and membership that declares a dead silo within seconds (not about a minute).
    /// </summary>
    public static Dictionary<string, string> ClusterSettings(string adminToken) => new()
    {
        ["Pixerve:AdminToken"] = adminToken,
        ["Pixerve:Jobs:Concurrency"] = "1",
        ["Pixerve:Jobs:ResumePeriod"] = "00:00:10",
        ["Pixerve:Silo:ShutdownGrace"] = "00:01:40",
        ["Pixerve:Gateway:ShutdownDelay"] = "00:00:02",
        ["Pixerve:Cluster:Membership:ProbeTimeout"] = "00:00:01",
        ["Pixerve:Cluster:Membership:NumMissedProbesLimit"] = "2",
        ["Pixerve:Cluster:Membership:NumVotesForDeathDeclaration"] = "1",
        ["Pixerve:Cluster:Membership:TableRefreshTimeout"] = "00:00:02",
    };

    /// <summary>The load's job: one 400 px JPEG served by the gateways, under <paramref name="subDir"/>; valid for an hour.</summary>
    public static string JobToken(string subDir) => TestTokens.Mint(PixerveFixture.JwtSecret, new
    {
        formats = new { jpg = new { sizes = new[] { new[] { 400 } } } },
        directHost = true,
        subDir,
    }, expires: DateTimeOffset.UtcNow.AddHours(1));

    /// <summary>The readiness probe's answer as a load balancer takes it: a status code, "refused", "broken" or "timeout" (2 s).</summary>
    public static async Task<string> ReadyStatusAsync(HttpClient gateway)
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
    /// Waits for every acknowledged job's outputs in the serve directory, then reads each job's status once it is final:
    /// a /status read re-queues a pending job, so reading earlier would hide a recovery that never happens on its own.
    /// On timeout, the missing jobs' statuses are in the message.
    /// </summary>
    public static async Task<Dictionary<string, JsonElement>> WaitForOutputsThenStatusesAsync(FailoverLoad load, string serveDir, string subDir,
        HttpClient gateway, string token, TimeSpan timeout)
    {
        try
        {
            await load.WaitForOutputsAsync(serveDir, subDir, timeout, "every acknowledged job's output");
        }
        catch (TimeoutException e)
        {
            var missing = load.ExpectedFiles.Where(f => !f.Value.Names.All(n => File.Exists(Path.Combine(serveDir, subDir, n)))).Take(10);
            var statuses = new List<string>();
            foreach (var (jobId, _) in missing) statuses.Add($"{jobId}: {await StatusTextAsync(gateway, token, jobId)}");
            throw new TimeoutException($"{e.Message}\ntheir statuses now:\n{string.Join("\n", statuses)}", e);
        }

        // The output is written before the job records itself completed: a job may be final a moment after its file.
        return await load.WaitUntilAllFinalAsync(gateway, TimeSpan.FromSeconds(30));
    }

    private static async Task<string> StatusTextAsync(HttpClient gateway, string token, string jobId)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/status?job_id={jobId}");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        using var response = await gateway.SendAsync(request);
        return $"{(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}";
    }

    /// <summary>Every acknowledged job completed, and every answer was a 200 or a 503 with Retry-After.</summary>
    public static void AssertNothingLost(FailoverLoad load, Dictionary<string, JsonElement> finals)
    {
        Assert.All(load.Answers.Where(a => a.Status >= 500), a =>
        {
            Assert.Equal(503, a.Status);
            Assert.True(a.HasRetryAfter, "a 503 without Retry-After");
        });
        Assert.DoesNotContain(load.Answers, a => a.Status is not (200 or 503));
        Assert.Equal(load.Acknowledged.Count, finals.Count);
        Assert.All(finals, f => Assert.Equal("completed", f.Value.GetProperty("status").GetString()));
    }

    /// <summary>The closing figures of one event (<paramref name="what"/>: "the roll", "the outage").</summary>
    public static string Line(FailoverLoad load, Dictionary<string, JsonElement> finals, DateTimeOffset eventStarted, DateTimeOffset eventEnded,
        string run, string what)
    {
        var completed = finals.Values.Where(f => f.GetProperty("status").GetString() == "completed").ToList();
        var lastFinished = completed.Select(f => f.GetProperty("finished_at").GetDateTimeOffset()).DefaultIfEmpty(eventStarted).Max();
        // Acknowledgements of uploads in flight at some time during the event (sent before its end, answered after its start).
        var during = load.Answers.Where(a => a.Status == 200 && a.At >= eventStarted && a.At.AddSeconds(-a.Seconds) <= eventEnded)
            .Select(a => a.Seconds).Order().ToList();
        var p99 = during.Count == 0 ? double.NaN : during[(int)Math.Min(during.Count - 1, Math.Ceiling(0.99 * during.Count) - 1)];
        var slowest = load.Answers.Select(a => a.Seconds).DefaultIfEmpty(0).Max();
        var others = string.Join(", ", load.Answers.Where(a => a.Status is not (200 or 503)).GroupBy(a => a.Status).Select(g => $"{g.Key}×{g.Count()}"));
        var attempts = finals.Values.Select(f => f.GetProperty("attempts").GetInt32()).ToList();
        return $"{run}: acknowledged {load.Acknowledged.Count}, completed {completed.Count}, 503s {load.Answers.Count(a => a.Status == 503)} " +
               $"({load.Answers.Count(a => a.Status == 503 && a.At >= eventStarted && a.At <= eventEnded)} during {what}; other non-200s: " +
               $"{(others.Length > 0 ? others : "none")}; connections refused {load.Refused}), acknowledgement p99 during {what} {p99:F2} s " +
               $"({during.Count} in flight in {(eventEnded - eventStarted).TotalSeconds:F1} s), slowest answer {slowest:F1} s, last completion " +
               $"{(lastFinished - eventStarted).TotalSeconds:F1} s after {what} began, attempts max {attempts.DefaultIfEmpty(0).Max()} " +
               $"({attempts.Count(a => a > 1)} jobs converted more than once)";
    }
}
