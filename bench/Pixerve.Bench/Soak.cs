using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json;
using Azure;
using Azure.Storage.Blobs;
using Orleans.Configuration;
using Pixerve.ServiceDefaults;

namespace Pixerve.Bench;

/// <summary>
/// <c>--soak</c>: many jobs through one silo, watching for what accumulates. The <c>--e2e</c> cluster and job, but N
/// uploads (default 3000) with C jobs in flight; the silo's and this process's (the gateway's) resident memory every
/// sample period and when job B (default 500) and job N completed; then, once every job is final, the blobs left in
/// the staging container and the grain activations by type, at once and again after an idle wait and an activation
/// collection of that age.
/// </summary>
/// <remarks>
/// Completion is counted from the serve directory (four outputs make a job), read twice a second: it touches no
/// grain, so it neither costs the silo CPU nor activates anything the activation counts would then find, unlike a
/// <c>/status</c> poll per job (which also re-queues a pending job it reads).
/// </remarks>
internal static class Soak
{
    private const double PollSeconds = 0.5;

    public static async Task<int> RunAsync(string[] args, string images)
    {
        var uploads = ClusterBench.IntOption(args, "--uploads", 3000);
        var concurrency = ClusterBench.IntOption(args, "--concurrency", 8);
        // The first mark after the start-up's growth (JIT, libvips, pools, first activations): the baseline of the growth.
        var baselineJob = ClusterBench.IntOption(args, "--baseline-job", uploads > 500 ? 500 : Math.Max(1, uploads / 2));
        var sampleSeconds = ClusterBench.IntOption(args, "--sample-seconds", 10);
        var collectAfter = TimeSpan.FromSeconds(ClusterBench.IntOption(args, "--collect-after", 60));
        // No completion for this long: a job failed (it writes no outputs) or the silo hangs; stop and report.
        var stall = TimeSpan.FromSeconds(ClusterBench.IntOption(args, "--stall-seconds", 180));
        var siloSettings = ClusterBench.SiloSettings(args);
        if (ClusterBench.Image(args, images) is not { } image) return 2;
        if (baselineJob < 1 || baselineJob >= uploads)
        {
            Console.Error.WriteLine($"--baseline-job must be from 1 to {uploads - 1}");
            return 2;
        }

        var collectionAge = new GrainCollectionOptions().CollectionAge;
        Console.WriteLine($"Pixerve soak: {Environment.ProcessorCount} cores, load average {ClusterBench.LoadAverage()}; {uploads} uploads of " +
                          $"{Path.GetFileName(image)} (distinct bytes each) through one silo, {concurrency} jobs in flight, {ClusterBench.JobDescription}; " +
                          $"silo settings: {ClusterBench.Describe(siloSettings)}. Gateway RSS is this process's: it hosts the gateway and the clients. " +
                          $"{(System.Runtime.GCSettings.IsServerGC ? "Server" : "Workstation")} GC here and in the silo (DOTNET_gcServer=1 in the environment gives both the image's server GC).");
        Console.WriteLine($"Orleans' activation collection age: {collectionAge.TotalMinutes:F0} min (GrainCollectionOptions.CollectionAge; Pixerve sets none " +
                          $"and the silo binds no setting for it), so activations are counted again after {collectAfter.TotalSeconds:F0} s idle and " +
                          $"IManagementGrain.ForceActivationCollection({collectAfter.TotalSeconds:F0} s): the collector's own rules, at that age.");

        var adminToken = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));
        await using var cluster = await ClusterBench.StartAsync(1, siloSettings, durableStorage: true, $"--Pixerve:AdminToken={adminToken}");
        var siloPid = cluster.Silos[0].ProcessId;
        var outputs = Path.Combine(cluster.ServeDir, ClusterBench.SubDir);
        var photo = await File.ReadAllBytesAsync(image);
        var token = ClusterBench.Token();

        var started = Stopwatch.GetTimestamp();
        var done = 0;
        var samples = new List<(double Seconds, int Done, double SiloMb, double GatewayMb, string Note)>();
        (double Seconds, int Done, double SiloMb, double GatewayMb, string Note) Sample(string note)
        {
            var sample = (Stopwatch.GetElapsedTime(started).TotalSeconds, Volatile.Read(ref done), RssMb(siloPid), RssMb(null), note);
            lock (samples) samples.Add(sample);
            return sample;
        }

        using var sampling = new CancellationTokenSource();
        var sampler = Task.Run(async () =>
        {
            using var timer = new PeriodicTimer(TimeSpan.FromSeconds(sampleSeconds));
            try
            {
                do Sample("");
                while (await timer.WaitForNextTickAsync(sampling.Token));
            }
            catch (OperationCanceledException)
            {
            }
        });

        // C jobs in flight: a client takes a slot to upload, a completed job (or a refused upload) gives one back.
        var slots = new SemaphoreSlim(concurrency);
        using var stopClients = new CancellationTokenSource();
        var (next, accepted, clientsLeft) = (0, 0, concurrency);
        var refusals = new List<string>();
        async Task ClientAsync()
        {
            try
            {
                while (true)
                {
                    await slots.WaitAsync(stopClients.Token);
                    var number = Interlocked.Increment(ref next);
                    if (number > uploads) return;
                    string? error;
                    try
                    {
                        (var hash, error, _, _) = await ClusterBench.UploadAsync(cluster.Http, token, photo, number);
                    }
                    catch (HttpRequestException e)
                    {
                        error = $"upload failed: {e.Message}";
                    }

                    if (error is null)
                    {
                        Interlocked.Increment(ref accepted);
                        continue;
                    }

                    lock (refusals) refusals.Add(error);
                    slots.Release();
                }
            }
            catch (OperationCanceledException)
            {
            }
            finally
            {
                Interlocked.Decrement(ref clientsLeft);
            }
        }

        var clients = Enumerable.Range(0, concurrency).Select(_ => Task.Run(ClientAsync)).ToList();
        var (stalled, lastProgress) = (false, Stopwatch.GetTimestamp());
        (double Seconds, int Done, double SiloMb, double GatewayMb, string Note)? atBaseline = null;
        while (true)
        {
            var now = CompletedJobs(outputs);
            if (now > done)
            {
                slots.Release(now - done);
                Volatile.Write(ref done, now);
                lastProgress = Stopwatch.GetTimestamp();
                if (atBaseline is null && now >= baselineJob) atBaseline = Sample($"job {now} completed");
            }

            if (Volatile.Read(ref clientsLeft) == 0 && now >= Volatile.Read(ref accepted)) break;
            if (Stopwatch.GetElapsedTime(lastProgress) > stall)
            {
                stalled = true;
                break;
            }

            await Task.Delay(TimeSpan.FromSeconds(PollSeconds));
        }

        var wall = Stopwatch.GetElapsedTime(started);
        var atEnd = Sample(stalled ? $"stalled at {done} of {accepted}" : $"job {done} completed");
        await stopClients.CancelAsync();
        await Task.WhenAll(clients);

        // Every job final: the record lists hold them all and the queue is empty.
        using var admin = new HttpClient { BaseAddress = cluster.Http.BaseAddress, Timeout = TimeSpan.FromMinutes(2) };
        admin.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", adminToken);
        var finalDeadline = Stopwatch.GetTimestamp();
        var (completed, failed, queued) = (0, 0, 0);
        while (true)
        {
            (completed, failed, queued) = (await CountRecordsAsync(admin, "/success/list"), await CountRecordsAsync(admin, "/failures/list"), await QueuedAsync(admin));
            if ((completed + failed >= accepted && queued == 0) || Stopwatch.GetElapsedTime(finalDeadline) > TimeSpan.FromMinutes(2)) break;
            await Task.Delay(TimeSpan.FromSeconds(2));
        }

        Sample("all final");

        // The staging blob goes with the job's completion (its outbox): a blob left now is one nothing deletes until the sweeper.
        var staging = new BlobServiceClient(cluster.StorageConnectionString).GetBlobContainerClient(PixerveConfiguration.StagingContainer);
        var stagedAtFinal = await CountBlobsAsync(staging);
        var (stagedLater, stagedWait) = (stagedAtFinal, Stopwatch.GetTimestamp());
        while (stagedLater > 0 && Stopwatch.GetElapsedTime(stagedWait) < TimeSpan.FromSeconds(60))
        {
            await Task.Delay(TimeSpan.FromSeconds(2));
            stagedLater = await CountBlobsAsync(staging);
        }

        var management = cluster.ClusterClient.GetGrain<IManagementGrain>(0);
        var activationsAtEnd = await ActivationsAsync(management);
        Console.WriteLine($"waiting {collectAfter.TotalSeconds:F0} s idle, then collecting activations idle that long ...");
        await Task.Delay(collectAfter);
        await management.ForceActivationCollection(collectAfter);
        // Deactivations run after the call returns: read until two reads a second apart agree.
        var activationsAfter = await ActivationsAsync(management);
        for (var i = 0; i < 30; i++)
        {
            await Task.Delay(TimeSpan.FromSeconds(1));
            var again = await ActivationsAsync(management);
            if (again.Values.Sum() == activationsAfter.Values.Sum())
            {
                activationsAfter = again;
                break;
            }

            activationsAfter = again;
        }

        Sample($"after collection ({collectAfter.TotalSeconds:F0} s)");
        await sampling.CancelAsync();
        await sampler;

        Print(samples, stalled ? null : atBaseline, stalled ? null : atEnd, uploads, wall, accepted, refusals, completed, failed, queued, stalled, stagedAtFinal, stagedLater,
            activationsAtEnd, activationsAfter, collectAfter);
        Console.WriteLine($"load average after: {ClusterBench.LoadAverage()}");
        return stalled || refusals.Count > 0 || failed > 0 ? 1 : 0;
    }

    private static void Print(List<(double Seconds, int Done, double SiloMb, double GatewayMb, string Note)> samples,
        (double Seconds, int Done, double SiloMb, double GatewayMb, string Note)? baseline, (double Seconds, int Done, double SiloMb, double GatewayMb, string Note)? end, int uploads,
        TimeSpan wall, int accepted, List<string> refusals, int completed, int failed, int queued, bool stalled, int stagedAtFinal, int stagedLater,
        Dictionary<string, int> activationsAtEnd, Dictionary<string, int> activationsAfter, TimeSpan collectAfter)
    {
        Console.WriteLine();
        Console.WriteLine("| time (s) | jobs done | silo RSS (MB) | gateway RSS (MB) | mark |");
        Console.WriteLine("|---:|---:|---:|---:|---|");
        foreach (var s in samples.OrderBy(s => s.Seconds))
            Console.WriteLine(FormattableString.Invariant($"| {s.Seconds:F0} | {s.Done} | {s.SiloMb:F0} | {s.GatewayMb:F0} | {s.Note} |"));

        Console.WriteLine();
        var rate = (accepted / wall.TotalSeconds).ToString("F2", CultureInfo.InvariantCulture);
        Console.WriteLine($"{uploads} uploads: {accepted} accepted, {refusals.Count} refused; {completed} completed, {failed} failed, {queued} still queued or running; " +
                          $"{Math.Round(wall.TotalSeconds)} s to the last completion ({rate} jobs/s){(stalled ? "; STALLED: no completion for --stall-seconds" : "")}.");
        foreach (var refusal in refusals.GroupBy(r => r)) Console.WriteLine($"  refused: {refusal.Key} ×{refusal.Count()}");

        Console.WriteLine();
        if (baseline is not { } from || end is not { } to)
        {
            Console.WriteLine("RSS growth: not measured (the baseline job never completed, or the run stalled)");
        }
        else
        {
            Console.WriteLine(Growth("silo", from.SiloMb, to.SiloMb, from.Done, to.Done));
            Console.WriteLine(Growth("gateway (this process)", from.GatewayMb, to.GatewayMb, from.Done, to.Done));
        }

        Console.WriteLine($"staged blobs left when every job was final: {stagedAtFinal}{(stagedAtFinal > 0 ? $" ({stagedLater} after up to 60 s more)" : "")} " +
                          $"(goal 0: {(stagedLater == 0 ? "met" : "missed")})");
        static int Jobs(Dictionary<string, int> counts) => counts.Where(c => c.Key == typeof(Pixerve.Grains.Jobs.JobGrain).FullName).Sum(c => c.Value);
        Console.WriteLine($"activations: {activationsAtEnd.Values.Sum()} when every job was final ({Jobs(activationsAtEnd)} JobGrain); " +
                          $"{activationsAfter.Values.Sum()} left after {collectAfter.TotalSeconds:F0} s idle and a collection of that age ({Jobs(activationsAfter)} JobGrain)");

        Console.WriteLine();
        Console.WriteLine($"| grain type | activations when final | after {collectAfter.TotalSeconds:F0} s idle + collection |");
        Console.WriteLine("|---|---:|---:|");
        foreach (var type in activationsAtEnd.Keys.Union(activationsAfter.Keys).OrderByDescending(t => activationsAtEnd.GetValueOrDefault(t)).ThenBy(t => t, StringComparer.Ordinal))
            Console.WriteLine($"| {type} | {activationsAtEnd.GetValueOrDefault(type)} | {activationsAfter.GetValueOrDefault(type)} |");
    }

    private static string Growth(string what, double from, double to, int fromJob, int toJob)
    {
        var percent = (to - from) / from * 100;
        return FormattableString.Invariant(
            $"{what} RSS job {fromJob} → job {toJob}: {from:F0} → {to:F0} MB, {percent:+0.0;-0.0} % (goal ≤ 10 %: {(percent <= 10 ? "met" : "missed")})");
    }

    /// <summary>Jobs whose four outputs are in the serve directory (a file being written is a <c>.tmp</c> beside its name).</summary>
    private static int CompletedJobs(string outputs) =>
        Directory.Exists(outputs)
            ? Directory.EnumerateFiles(outputs).Count(f => !f.EndsWith(".tmp", StringComparison.Ordinal)) / ClusterBench.OutputsPerJob
            : 0;

    /// <summary>VmRSS of a process (this one when <paramref name="pid"/> is null), in MB.</summary>
    private static double RssMb(int? pid)
    {
        try
        {
            var line = File.ReadLines($"/proc/{(pid is { } id ? id.ToString(CultureInfo.InvariantCulture) : "self")}/status")
                .FirstOrDefault(l => l.StartsWith("VmRSS:", StringComparison.Ordinal));
            return line is null ? double.NaN : long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) / 1024.0;
        }
        catch (IOException)
        {
            return double.NaN;
        }
    }

    private static async Task<int> CountRecordsAsync(HttpClient admin, string list)
    {
        var (count, cursor) = (0, (string?)null);
        do
        {
            var page = await admin.GetFromJsonAsync<JsonElement>($"{list}?limit=500{(cursor is null ? "" : $"&cursor={Uri.EscapeDataString(cursor)}")}");
            count += page.GetProperty("items").GetArrayLength();
            cursor = page.TryGetProperty("next_cursor", out var next) && next.ValueKind == JsonValueKind.String ? next.GetString() : null;
        }
        while (cursor is not null);
        return count;
    }

    private static async Task<int> QueuedAsync(HttpClient admin)
    {
        var stats = await admin.GetFromJsonAsync<JsonElement>("/admin/stats");
        return stats.GetProperty("queued").GetInt32() + stats.GetProperty("running").GetInt32();
    }

    private static async Task<int> CountBlobsAsync(BlobContainerClient container)
    {
        try
        {
            var count = 0;
            await foreach (var _ in container.GetBlobsAsync()) count++;
            return count;
        }
        catch (RequestFailedException e) when (e.Status == 404)
        {
            return 0;
        }
    }

    private static async Task<Dictionary<string, int>> ActivationsAsync(IManagementGrain management) =>
        // Grain types come as "class, assembly": the class names them.
        (await management.GetSimpleGrainStatistics()).GroupBy(s => s.GrainType.Split(',')[0]).ToDictionary(g => g.Key, g => g.Sum(s => s.ActivationCount));
}
