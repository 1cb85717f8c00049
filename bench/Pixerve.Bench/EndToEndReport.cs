using System.Globalization;

namespace Pixerve.Bench;

/// <summary>
/// The <c>--e2e</c> tables, one row per cluster size: throughput and acknowledgements, scale-out, CPU per job by
/// process, storage requests per job (in all and by service, method and resource), and where the CPU went.
/// </summary>
internal static class EndToEndReport
{
    /// <summary>Scale-out below this at the largest cluster is explained from the counters.</summary>
    private const double EfficiencyGoal = 0.85;

    private static Func<ClusterRun, string> _label = r => r.Silos.ToString(CultureInfo.InvariantCulture);

    /// <summary>The first column: the silo count, and the provider when the runs compare providers.</summary>
    private static string Label(ClusterRun run) => _label(run);

    public static void Print(IReadOnlyList<ClusterRun> runs, double conversionInProcess)
    {
        // One provider's runs are compared with its own one-silo run.
        double? Efficiency(ClusterRun run) => runs.FirstOrDefault(r => r.Silos == 1 && r.Provider == run.Provider) is { } baseline
            ? run.JobsPerSecond / (run.Silos * baseline.JobsPerSecond) : null;
        _label = runs.Select(r => r.Provider).Distinct().Count() > 1
            ? r => I($"{r.Silos} on {r.Provider} ({r.Stores})")
            : r => r.Silos.ToString(CultureInfo.InvariantCulture);

        Table("Throughput and acknowledgements",
            "| silos | CPU per silo | uploads | clients | wall (s) | uploads/s | p50 upload→completed (s) | p99 upload→completed (s) | not completed | ack p50 / p99 idle (ms) | ack p50 / p99 under load (ms) | p50 load / idle | p99 load / idle |",
            "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
            runs.Select(r =>
            {
                var (idle50, idle99, load50, load99) = (P(r.IdleAcks, 0.50), P(r.IdleAcks, 0.99), P(r.LoadAcks, 0.50), P(r.LoadAcks, 0.99));
                return I($"| {Label(r)} | {Quota(r)} | {r.Uploads} | {r.Clients} | {r.Wall.TotalSeconds:F1} | {r.JobsPerSecond:F2} | {P(r.Latencies, 0.50):F2} | {P(r.Latencies, 0.99):F2} | {r.NotCompleted} | {idle50 * 1000:F0} / {idle99 * 1000:F0} | {load50 * 1000:F0} / {load99 * 1000:F0} | {load50 / idle50:F1}× | {load99 / idle99:F1}× |");
            }));

        Table("Scale-out (efficiency = jobs/s(N) / (N × jobs/s(1)))",
            "| silos | CPU per silo | uploads | clients | wall (s) | jobs/s | efficiency |",
            "|---:|---:|---:|---:|---:|---:|---:|",
            runs.Select(r => I($"| {Label(r)} | {Quota(r)} | {r.Uploads} | {r.Clients} | {r.Wall.TotalSeconds:F1} | {r.JobsPerSecond:F2} | {(Efficiency(r) is { } e ? e.ToString("F2", CultureInfo.InvariantCulture) : "n/a")} |")));

        Table("CPU per job by process (ms; utime + stime over the timed run ÷ jobs completed)",
            "| silos | silo conversion | silo other | gateway | stores | clients (bench) | sum | machine busy | status requests per job |",
            "|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
            runs.Select(r =>
            {
                var (conversion, silo) = (r.ConversionCpu.Sum() / r.Completed, r.SiloCpu.Sum() / r.Completed);
                var sum = silo + (r.GatewayCpu + r.StoreCpu + r.ClientCpu) / r.Completed;
                // No niced thread: conversion and the rest run at one priority (ThreadNice=0, or the bench under nice).
                var (conversionText, otherText) = conversion > 0 ? (I($"{conversion * 1000:F0}"), I($"{(silo - conversion) * 1000:F0}")) : ("not measured", I($"{silo * 1000:F0} (all)"));
                return I($"| {Label(r)} | {conversionText} | {otherText} | {r.GatewayCpu / r.Completed * 1000:F0} | {r.StoreCpu / r.Completed * 1000:F0} | {r.ClientCpu / r.Completed * 1000:F0} | {sum * 1000:F0} | {r.MachineBusy / r.Completed * 1000:F0} | {(double)r.StatusRequests / r.Completed:F1} |");
            }));
        Console.WriteLine(I($"Silo conversion: CPU of the silos' niced threads (conversion threads and the libvips/libaom threads they start), read from /proc in the silos. Cross-check: the same conversion in this process, one conversion thread: {conversionInProcess * 1000:F0} ms per job."));

        Table("Storage requests per job",
            "| silos | per job, timed run | per job, after settling | before the answer (idle, per upload) |",
            "|---:|---:|---:|---:|",
            runs.Select(r => I($"| {Label(r)} | {r.TimedRequests.Total / r.Completed:F1} | {r.SettledRequests.Total / r.Completed:F1} (+{r.SettleSeconds:F0} s) | {r.IdleRequests.Total / r.IdleUploads:F1} |")));

        var keys = runs.SelectMany(r => r.SettledRequests.Counts.Keys.Concat(r.IdleRequests.Counts.Keys)).Distinct()
            .OrderBy(k => k.Service, StringComparer.Ordinal).ThenBy(k => k.Resource, StringComparer.Ordinal).ThenBy(k => k.Method, StringComparer.Ordinal).ToList();
        Table("Storage requests per job by service, method and resource (after settling / before the answer)",
            "| service | method | resource | " + string.Join(" | ", runs.Select(r => $"{r.Silos} silo(s)")) + " |",
            "|---|---|---|" + string.Concat(runs.Select(_ => "---:|")),
            keys.Select(k => $"| {k.Service} | {k.Method} | {k.Resource} | " + string.Join(" | ", runs.Select(r =>
                I($"{r.SettledRequests.Counts.GetValueOrDefault(k) / r.Completed:F2} / {r.IdleRequests.Counts.GetValueOrDefault(k) / r.IdleUploads:F2}"))) + " |"));

        Table($"Where the CPU went in the timed run (cores: CPU s ÷ wall s; this machine has {Environment.ProcessorCount})",
            "| silos | machine busy | silos (quota) | silos held at quota (s) | gateway | stores | clients | jobs per silo | mean queue per silo (waiting / converting) |",
            "|---:|---:|---:|---:|---:|---:|---:|---|---|",
            runs.Select(r =>
            {
                var wall = r.Wall.TotalSeconds;
                var quota = r.CpuPerSilo is { } q ? I($" ({q * r.Silos:F2})") : "";
                var throttled = r.Throttling.Count == 0 ? "n/a" : I($"{r.Throttling.Sum(t => t.Seconds):F1}");
                return I($"| {Label(r)} | {r.MachineBusy / wall:F2} | {r.SiloCpu.Sum() / wall:F2}{quota} | {throttled} | {r.GatewayCpu / wall:F2} | {r.StoreCpu / wall:F2} | {r.ClientCpu / wall:F2} | {string.Join(", ", r.JobsBySilo.Select(j => j.ToString("F0", CultureInfo.InvariantCulture)))} | {string.Join(", ", r.MeanQueues.Select(m => I($"{m.Depth:F1} / {m.Running:F1}")))} |");
            }));

        if (runs.Count > 1 && runs.MaxBy(r => r.Silos) is { } largest && Efficiency(largest) is { } efficiency && efficiency < EfficiencyGoal)
            Console.WriteLine(Shortfall(largest, efficiency));
    }

    /// <summary>What the counters say about a scale-out below the goal.</summary>
    private static string Shortfall(ClusterRun run, double efficiency)
    {
        var wall = run.Wall.TotalSeconds;
        var cores = Environment.ProcessorCount;
        var rest = (run.GatewayCpu + run.StoreCpu + run.ClientCpu) / wall;
        var silos = run.SiloCpu.Sum() / wall;
        var lines = new List<string> { I($"Scale-out at {run.Silos} silos is {efficiency:F2} (< {EfficiencyGoal}):") };
        var quotaNote = run.CpuPerSilo is { } q ? I($" of a {q * run.Silos:F2}-core quota ({run.Throttling.Sum(t => t.Seconds):F1} s held at it)") : "";
        var overcommitted = run.CpuPerSilo is { } quota && quota * run.Silos + rest > cores ? I($" ({quota * run.Silos:F2} + {rest:F2} > {cores})") : "";
        lines.Add(I($"- machine: {run.MachineBusy / wall:F2} of {cores} cores busy; the silos used {silos:F2} cores{quotaNote}; gateway + stores + clients {rest:F2} cores{overcommitted}."));
        var jobs = run.JobsBySilo;
        if (jobs.Count > 1)
            lines.Add(I($"- placement: jobs per silo {string.Join(", ", jobs.Select(j => j.ToString("F0", CultureInfo.InvariantCulture)))} (max/mean {jobs.Max() / jobs.Average():F2}); mean queue per silo (waiting / converting) {string.Join(", ", run.MeanQueues.Select(m => I($"{m.Depth:F1} / {m.Running:F1}")))}."));
        return string.Join('\n', lines);
    }

    private static void Table(string title, string header, string separator, IEnumerable<string> rows)
    {
        Console.WriteLine();
        Console.WriteLine(title + ":");
        Console.WriteLine();
        Console.WriteLine(header);
        Console.WriteLine(separator);
        foreach (var row in rows) Console.WriteLine(row);
    }

    private static string Quota(ClusterRun run) => run.CpuPerSilo is { } q ? q.ToString("0.##", CultureInfo.InvariantCulture) : "—";

    private static double P(List<double> values, double p) => EndToEnd.Percentile(values, p);

    private static string I(FormattableString text) => FormattableString.Invariant(text);
}
