using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Pixerve.ServiceDefaults;
using Pixerve.Testing.Fixtures;

namespace Pixerve.Bench;

/// <summary>
/// <c>--e2e</c>: the whole pipeline through HTTP. The stores of a cluster provider (<c>--provider</c>; Azurite by
/// default), N real silo processes finding each other in its membership table and one
/// gateway process on loopback (<see cref="ScaleOutCluster"/>); C clients (in this process) each upload a photo
/// (distinct bytes every time), poll its status until it is final and upload the next, M uploads in all. Reports
/// uploads/s over the timed run and the time from sending an upload to the job's <c>finished_at</c>, the
/// acknowledgements idle and under load, the storage requests and the CPU time per job by process, and with several
/// cluster sizes the scale-out (with <c>--cpu-per-silo</c> each silo in a CPU-quota cgroup: N small machines).
/// </summary>
internal static class EndToEnd
{
    /// <summary>An idle upload's "before" scrape is this much older than its "after" one, so that the exporters'
    /// scrape cache (300 ms in OpenTelemetry's Prometheus exporters) cannot answer the after scrape.</summary>
    private static readonly TimeSpan ScrapeCacheWait = TimeSpan.FromMilliseconds(350);

    /// <summary><c>GET /status</c> requests the clients sent: the gateway's CPU per job includes answering them.</summary>
    private static int _statusRequests;

    public static async Task<int> RunAsync(string[] args, string images)
    {
        var siloCounts = (ClusterBench.Option(args, "--silos") ?? "1").Split(',').Select(s => int.Parse(s, CultureInfo.InvariantCulture)).ToList();
        var cpuPerSilo = ClusterBench.Option(args, "--cpu-per-silo") is { } cpus ? double.Parse(cpus, CultureInfo.InvariantCulture) : (double?)null;
        // With a quota every silo is a small machine of its own: the work and the clients grow with the silos, so every
        // cluster size has the same jobs in flight per silo and about the same duration.
        var uploadsPerSilo = ClusterBench.Option(args, "--uploads-per-silo") is { } u ? int.Parse(u, CultureInfo.InvariantCulture) : cpuPerSilo is null ? (int?)null : 40;
        var clientsPerSilo = ClusterBench.Option(args, "--clients-per-silo") is { } c ? int.Parse(c, CultureInfo.InvariantCulture) : cpuPerSilo is null ? (int?)null : 4;
        var uploads = ClusterBench.IntOption(args, "--uploads", 30);
        var concurrency = ClusterBench.IntOption(args, "--concurrency", 4);
        var idle = ClusterBench.IntOption(args, "--idle", 10);
        var siloSettings = ClusterBench.SiloSettings(args);
        // --provider azure,postgres,redis: the same runs on each cluster provider, its stores as the docs pair them.
        var providers = new List<ClusterProvider>();
        foreach (var name in (ClusterBench.Option(args, "--provider") ?? "azure").Split(','))
        {
            if (!Enum.TryParse<ClusterProvider>(name, ignoreCase: true, out var provider) || !Enum.IsDefined(provider))
            {
                Console.Error.WriteLine($"--provider {name}: one of azure, postgres, redis");
                return 2;
            }

            providers.Add(provider);
        }

        if (ClusterBench.Image(args, images) is not { } image) return 2;
        if (cpuPerSilo is not null && CpuQuota.Unavailable() is { } why)
        {
            Console.Error.WriteLine(why);
            return 2;
        }

        var photo = await File.ReadAllBytesAsync(image);
        string Work(int silos) => uploadsPerSilo is { } perSilo ? $"{perSilo * silos} uploads by {clientsPerSilo * silos} clients" : $"{uploads} uploads by {concurrency} clients";
        Console.WriteLine($"Pixerve end-to-end bench: {Environment.ProcessorCount} cores, load average {ClusterBench.LoadAverage()}; " +
                          $"{string.Join(", ", siloCounts.Select(n => $"{n} silo(s): {Work(n)}"))} of {Path.GetFileName(image)}, {ClusterBench.JobDescription}; " +
                          $"CPU per silo: {(cpuPerSilo is { } q ? $"{q.ToString(CultureInfo.InvariantCulture)} (cgroup quota)" : "no quota")}; " +
                          $"idle acknowledgements from {idle} uploads one at a time first; silo settings: {ClusterBench.Describe(siloSettings)}.");
        var conversionInProcess = InProcessConversionCpu.SecondsPerJob(photo);
        Console.WriteLine(FormattableString.Invariant($"in-process conversion (one conversion thread, this process): {conversionInProcess * 1000:F0} ms CPU per job"));

        var runs = new List<ClusterRun>();
        foreach (var provider in providers)
        foreach (var silos in siloCounts)
        {
            var (runUploads, runClients) = uploadsPerSilo is { } perSilo ? (perSilo * silos, clientsPerSilo!.Value * silos) : (uploads, concurrency);
            Console.WriteLine($"running {silos} silo(s) on {provider.ToString().ToLowerInvariant()}, {runUploads} uploads by {runClients} clients ...");
            runs.Add(await RunClusterAsync(provider, silos, cpuPerSilo, runUploads, runClients, idle, siloSettings, photo));
            Console.WriteLine($"  load average after: {ClusterBench.LoadAverage()}");
        }

        EndToEndReport.Print(runs, conversionInProcess);
        return 0;
    }

    private static async Task<ClusterRun> RunClusterAsync(ClusterProvider provider, int silos, double? cpuPerSilo, int uploads, int concurrency, int idle,
        IReadOnlyDictionary<string, string> siloSettings, byte[] photo)
    {
        // The staging sweep deletes a finished job's original; every 10 s, so the counts after settling hold those deletes.
        var silo = new Dictionary<string, string> { ["Pixerve:Staging:SweepPeriod"] = "00:00:10" };
        foreach (var (key, value) in siloSettings) silo[key] = value;
        await using var cluster = await ScaleOutCluster.StartAsync(silos, cpuPerSilo, silo, ClusterBench.Secret, new Dictionary<string, string>
        {
            // Without rate limits: the clients are all on one address.
            ["Pixerve:RateLimits:UploadsPerMinutePerIp"] = "0",
            ["Pixerve:RateLimits:UploadsPerMinutePerSubject"] = "0",
        }, provider);
        using var scraper = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
        var http = cluster.Http;
        var token = ClusterBench.Token();
        var sequence = 0;
        int Next() => Interlocked.Increment(ref sequence);

        // Warm-up, untimed: JIT and native libraries on every silo, grain activations, Azurite's containers.
        await RunClientsAsync(http, photo, Next, 2 * silos, concurrency);

        // The start-up's own requests (reminder ranges, membership) over before anything is counted.
        await QuietStorageAsync(scraper, cluster.MetricsUrls, StorageRequests.Read(await FreshScrapeAsync(scraper, cluster.MetricsUrls)));

        // Idle: one upload at a time, each after the previous job is done, so nothing converts while it is acknowledged;
        // the storage requests between sending it and reading the answer are the ones the answer waits for.
        var idleAcks = new List<double>();
        var idleRequests = StorageRequests.None;
        for (var i = 0; i < idle; i++)
        {
            var before = await FreshScrapeAsync(scraper, cluster.MetricsUrls);
            await Task.Delay(ScrapeCacheWait);
            var (hash, error, ack, sent) = await ClusterBench.UploadAsync(http, token, photo, Next());
            idleRequests += StorageRequests.Read(await ScrapeAsync(scraper, cluster.MetricsUrls)) - StorageRequests.Read(before);
            idleAcks.Add(ack);
            if (hash is null) throw new InvalidOperationException($"idle upload refused: {error}");
            await WaitForFinalAsync(http, token, hash, sent);
        }

        // The timed run, with every process's CPU time and every storage request counted from here.
        var siloPids = cluster.Silos.Select(s => s.ProcessId).ToList();
        var startScrape = await FreshScrapeAsync(scraper, cluster.MetricsUrls);
        var cpuAtStart = (Silos: siloPids.Select(p => ProcessCpu.Seconds(p)).ToList(), Gateway: ProcessCpu.Seconds(cluster.GatewayProcessId),
            Store: cluster.StoreCpuSeconds(), Clients: ProcessCpu.Seconds(), Machine: ProcessCpu.MachineBusySeconds());
        var throttledAtStart = cluster.Quotas.Select(q => q.Throttling()).ToList();
        var conversionCpu = new NicedThreadCpu(siloPids);
        List<(string Status, double Seconds, double Ack, DateTimeOffset Sent)> results;
        IReadOnlyList<(double Depth, double Running)> queues;
        var pollsAtStart = Volatile.Read(ref _statusRequests);
        var started = Stopwatch.GetTimestamp();
        await using (var sampler = new TimedRunSampler(conversionCpu, scraper, cluster.SiloMetricsPorts))
        {
            results = await RunClientsAsync(http, photo, Next, uploads, concurrency);
            queues = sampler.MeanQueues();
        }

        var wall = Stopwatch.GetElapsedTime(started);
        var statusRequests = Volatile.Read(ref _statusRequests) - pollsAtStart;
        conversionCpu.Sample();
        var siloCpu = siloPids.Select((p, i) => ProcessCpu.Seconds(p) - cpuAtStart.Silos[i]).ToList();
        var (gatewayCpu, storeCpu, clientCpu, machine) = (ProcessCpu.Seconds(cluster.GatewayProcessId) - cpuAtStart.Gateway,
            cluster.StoreCpuSeconds() - cpuAtStart.Store, ProcessCpu.Seconds() - cpuAtStart.Clients,
            ProcessCpu.MachineBusySeconds() - cpuAtStart.Machine);
        var throttled = cluster.Quotas.Select((q, i) => q.Throttling() is var now ? (now.ThrottledPeriods - throttledAtStart[i].ThrottledPeriods,
            now.ThrottledSeconds - throttledAtStart[i].ThrottledSeconds) : default).ToList();
        var endScrape = await FreshScrapeAsync(scraper, cluster.MetricsUrls);

        // Requests a job causes after it is final (the staged upload's deletion, outboxes).
        var (settled, settleSeconds) = await QuietStorageAsync(scraper, cluster.MetricsUrls, StorageRequests.Read(endScrape));
        var completed = results.Where(r => r.Status == "completed").Select(r => r.Seconds).ToList();
        return new ClusterRun
        {
            Silos = silos, Provider = provider.ToString().ToLowerInvariant(), Stores = cluster.Stores, CpuPerSilo = cpuPerSilo, Uploads = uploads, Clients = concurrency, Wall = wall,
            Latencies = completed, NotCompleted = results.Count - completed.Count,
            IdleAcks = idleAcks,
            // Under load: every acknowledgement of the timed run but the first round's, which arrive before any conversion runs.
            LoadAcks = results.OrderBy(r => r.Sent).Skip(concurrency).Select(r => r.Ack).ToList(),
            TimedRequests = StorageRequests.Read(endScrape) - StorageRequests.Read(startScrape),
            SettledRequests = settled - StorageRequests.Read(startScrape),
            SettleSeconds = settleSeconds,
            IdleRequests = idleRequests, IdleUploads = idle,
            SiloCpu = siloCpu, ConversionCpu = conversionCpu.SecondsBySilo(), GatewayCpu = gatewayCpu, StoreCpu = storeCpu, ClientCpu = clientCpu,
            MachineBusy = machine,
            JobsBySilo = cluster.SiloMetricsPorts.Select((_, i) => CompletedJobs(endScrape[i]) - CompletedJobs(startScrape[i])).ToList(),
            MeanQueues = queues, Throttling = throttled, StatusRequests = statusRequests,
        };
    }

    private static double CompletedJobs(string exposition) => PrometheusText.Sum(exposition, "pixerve_jobs_total", "status=\"completed\"");

    /// <summary>
    /// Scrapes every 5 s until the storage request counters stay put between two scrapes (at most 45 s): the requests
    /// still under way are done (a cluster's start-up reads its reminder ranges in bursts a few seconds apart). Returns
    /// the last reading and the seconds waited.
    /// </summary>
    private static async Task<(StorageRequests Requests, double Seconds)> QuietStorageAsync(HttpClient scraper, IEnumerable<string> urls, StorageRequests last)
    {
        var started = Stopwatch.GetTimestamp();
        while (Stopwatch.GetElapsedTime(started) < TimeSpan.FromSeconds(45))
        {
            await Task.Delay(TimeSpan.FromSeconds(5));
            var now = StorageRequests.Read(await ScrapeAsync(scraper, urls));
            if (now.Total == last.Total) break;
            last = now;
        }

        return (last, Stopwatch.GetElapsedTime(started).TotalSeconds);
    }

    /// <summary>As <see cref="ScrapeAsync"/>, after the exporters' cache of any earlier scrape has expired.</summary>
    private static async Task<string[]> FreshScrapeAsync(HttpClient scraper, IEnumerable<string> urls)
    {
        await Task.Delay(ScrapeCacheWait);
        return await ScrapeAsync(scraper, urls);
    }

    /// <summary>Every process's exposition at once, in the order of <paramref name="urls"/>.</summary>
    private static async Task<string[]> ScrapeAsync(HttpClient scraper, IEnumerable<string> urls) =>
        await Task.WhenAll(urls.Select(url => PrometheusText.ScrapeAsync(scraper, url)));

    /// <summary><paramref name="count"/> uploads by <paramref name="concurrency"/> clients, each waiting for its job before the next.</summary>
    private static async Task<List<(string Status, double Seconds, double Ack, DateTimeOffset Sent)>> RunClientsAsync(HttpClient http, byte[] photo,
        Func<int> next, int count, int concurrency)
    {
        var remaining = count;
        var results = new List<(string, double, double, DateTimeOffset)>();
        // A subject per client, as separate users are: a subject may hold only a few event streams and pending jobs.
        var tokens = Enumerable.Range(0, concurrency).Select(client => ClusterBench.Token($"bench-client-{client}")).ToArray();
        await Task.WhenAll(Enumerable.Range(0, concurrency).Select(async client =>
        {
            while (Interlocked.Decrement(ref remaining) >= 0)
            {
                var (hash, error, ack, sent) = await ClusterBench.UploadAsync(http, tokens[client], photo, next());
                var result = hash is null ? (error!, 0, ack, sent) : (await WaitForFinalAsync(http, tokens[client], hash, sent) is var (state, seconds) ? (state, seconds, ack, sent) : default);
                lock (results) results.Add(result);
            }
        }));
        return results;
    }

    /// <summary>
    /// Follows the job's <c>GET /events</c> stream until a final state, as a client that waits for its job does (one
    /// request per job, where polling <c>/status</c> every 100 ms made some 30 and cost the gateway and silos more than
    /// the job's own path). Asks again should the stream end or be refused before a final state.
    /// </summary>
    /// <returns>The job's final status and upload→finished seconds.</returns>
    private static async Task<(string Status, double Seconds)> WaitForFinalAsync(HttpClient http, string token, string hash, DateTimeOffset sent)
    {
        while (true)
        {
            Interlocked.Increment(ref _statusRequests);
            using var request = new HttpRequestMessage(HttpMethod.Get, $"/events?hash={hash}");
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
            using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
            if (!response.IsSuccessStatusCode)
            {
                await Task.Delay(200);
                continue;
            }

            using var reader = new StreamReader(await response.Content.ReadAsStreamAsync());
            var type = "";
            while (await reader.ReadLineAsync() is { } line)
            {
                if (line.StartsWith("event: ", StringComparison.Ordinal)) type = line["event: ".Length..];
                else if (line.StartsWith("data: ", StringComparison.Ordinal) && type is "completed" or "failed" or "cancelled")
                {
                    var status = JsonDocument.Parse(line["data: ".Length..]).RootElement;
                    // The job's own finish time (same machine, same clock).
                    return (type, (status.GetProperty("finished_at").GetDateTimeOffset() - sent).TotalSeconds);
                }
            }
        }
    }

    /// <summary>Nearest-rank percentile; with 30 samples p99 is the slowest one.</summary>
    public static double Percentile(List<double> values, double p)
    {
        if (values.Count == 0) return double.NaN;
        var sorted = values.Order().ToList();
        return sorted[Math.Clamp((int)Math.Ceiling(p * sorted.Count) - 1, 0, sorted.Count - 1)];
    }
}
