using System.Diagnostics;

namespace Pixerve.Testing;

/// <summary>
/// Waits for jobs' outputs to appear in a serve directory. Reading files touches no grain: a status read (or any
/// call that activates a job's grain) queues a pending job again by itself, so a test that polls statuses after a
/// kill cannot tell whether the staging sweep or its own reads brought the job back. Outputs are moved in whole (a
/// hard link), so a file that exists is complete.
/// </summary>
public static class ServedFiles
{
    /// <summary>
    /// Waits, for all <paramref name="jobs"/> at once, until every output exists; fails at <paramref name="deadline"/>
    /// naming each job still missing files. Returns how long each job's outputs took to be all there, by job id.
    /// </summary>
    public static async Task<Dictionary<string, TimeSpan>> WaitForAsync(string serveDir, IEnumerable<ExpectedOutputs> jobs, TimeSpan deadline, string why)
    {
        var waiting = jobs.ToDictionary(j => j.JobId);
        var total = waiting.Count;
        var done = new Dictionary<string, TimeSpan>();
        var clock = Stopwatch.StartNew();
        while (true)
        {
            foreach (var job in waiting.Values.Where(j => j.Paths.All(p => File.Exists(Path.Combine(serveDir, p)))).ToList())
            {
                done[job.JobId] = clock.Elapsed;
                waiting.Remove(job.JobId);
            }

            if (waiting.Count == 0) return done;
            if (clock.Elapsed > deadline)
            {
                var missing = waiting.Values.Select(j =>
                    $"job {j.JobId} ({j.Label}, hash {j.Hash}) lacks {string.Join(", ", j.Paths.Where(p => !File.Exists(Path.Combine(serveDir, p))))}");
                throw new TimeoutException($"{waiting.Count} of {total} jobs had not stored their outputs {deadline.TotalSeconds:F0} s on ({why}):\n" +
                                           string.Join("\n", missing));
            }

            await Task.Delay(100);
        }
    }
}
