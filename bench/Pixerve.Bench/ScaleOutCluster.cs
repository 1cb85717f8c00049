using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Pixerve.ServiceDefaults;
using Pixerve.Testing;

namespace Pixerve.Bench;

/// <summary>
/// The <c>--e2e</c> cluster with every part in a process of its own, so each one's CPU time and storage requests can
/// be read apart: Azurite (in memory), N <c>Pixerve.Silo</c> processes (each serving Prometheus on a metrics port of
/// its own, each in a CPU-quota cgroup with <c>--cpu-per-silo</c>) and one <c>Pixerve.Gateway</c> process, started
/// once every silo has joined so that its client knows them all. This process only runs the clients.
/// </summary>
internal sealed class ScaleOutCluster : IAsyncDisposable
{
    private readonly string _serveDir = Directory.CreateTempSubdirectory("pixerve-serve-").FullName;
    private readonly List<CpuQuota> _quotas = [];
    private AzuriteServer? _azurite;
    private GatewayProcess? _gateway;

    public List<SiloProcess> Silos { get; } = [];

    /// <summary>Each silo's metrics port, in the order of <see cref="Silos"/>.</summary>
    public List<int> SiloMetricsPorts { get; } = [];

    /// <summary>Each silo's quota, in the order of <see cref="Silos"/>; empty without <c>--cpu-per-silo</c>.</summary>
    public IReadOnlyList<CpuQuota> Quotas => _quotas;

    public HttpClient Http { get; private set; } = null!;

    public int AzuriteProcessId => _azurite!.ProcessId;

    public int GatewayProcessId => _gateway!.ProcessId;

    /// <summary>Every process's scrape endpoint: the silos' then the gateway's.</summary>
    public IEnumerable<string> MetricsUrls => SiloMetricsPorts.Select(p => $"http://127.0.0.1:{p}/metrics").Append(GatewayMetricsUrl);

    public string GatewayMetricsUrl => new Uri(_gateway!.Address, "/metrics").ToString();

    /// <param name="cpuPerSilo">Each silo's CPU quota, or null for none.</param>
    /// <param name="gatewaySettings">Settings of the gateway only, on top of the cluster's.</param>
    public static async Task<ScaleOutCluster> StartAsync(int silos, double? cpuPerSilo, IReadOnlyDictionary<string, string> siloSettings,
        string jwtSecret, IReadOnlyDictionary<string, string> gatewaySettings)
    {
        var cluster = new ScaleOutCluster();
        try
        {
            await cluster.InitializeAsync(silos, cpuPerSilo, siloSettings, jwtSecret, gatewaySettings);
            return cluster;
        }
        catch
        {
            await cluster.DisposeAsync();
            throw;
        }
    }

    private async Task InitializeAsync(int silos, double? cpuPerSilo, IReadOnlyDictionary<string, string> siloSettings, string jwtSecret,
        IReadOnlyDictionary<string, string> gatewaySettings)
    {
        _azurite = await AzuriteServer.StartAsync();
        var clusterId = $"bench-{Guid.NewGuid():N}";
        // As ProcessCluster configures its silos and gateway.
        var settings = new Dictionary<string, string>
        {
            [PixerveConfiguration.StorageConnectionStringKey] = _azurite.ConnectionString,
            [PixerveConfiguration.ServeDirKey] = _serveDir,
            ["Pixerve:Cluster:Mode"] = "azure",
            ["Pixerve:Webhooks:Secret"] = "process-cluster-webhook-secret-0123456789abcdef",
            ["Pixerve:Cluster:Id"] = clusterId,
            ["Pixerve:Gateway:ShutdownDelay"] = "00:00:00",
        };
        foreach (var (key, value) in siloSettings) settings[key] = value;

        for (var i = 0; i < silos; i++)
        {
            var metricsPort = ServerProcess.FreePort();
            var own = new Dictionary<string, string>(settings) { ["Pixerve:Metrics:Port"] = metricsPort.ToString(CultureInfo.InvariantCulture) };
            // The .NET runtime sizes itself (Environment.ProcessorCount, so the silo's conversion threads, and the GC) from
            // the cgroup quota it finds when it starts; the process joins its cgroup just after the start, which could race
            // that read, so the silo is told the count a container with this quota would see.
            if (cpuPerSilo is { } cpus) own["DOTNET_PROCESSOR_COUNT"] = ((int)Math.Ceiling(cpus)).ToString(CultureInfo.InvariantCulture);
            var silo = SiloProcess.Start(own);
            Silos.Add(silo);
            SiloMetricsPorts.Add(metricsPort);
            if (cpuPerSilo is { } quota)
            {
                // Right after the start: the runtime is still starting, before the app's assemblies, Orleans or libvips load.
                var cgroup = CpuQuota.Create($"pixerve-bench-{Environment.ProcessId}-silo{i}", quota);
                _quotas.Add(cgroup);
                cgroup.Add(silo.ProcessId);
            }
        }

        await WaitForSilosAsync(clusterId, silos);

        var gateway = new Dictionary<string, string>(settings)
        {
            ["Pixerve:Jwt:Secret"] = jwtSecret,
            ["Logging:LogLevel:Default"] = "Error",
            ["Logging:LogLevel:Orleans"] = "Error",
        };
        foreach (var (key, value) in gatewaySettings) gateway[key] = value;
        _gateway = await GatewayProcess.StartAsync(gateway);
        Http = new HttpClient { BaseAddress = _gateway.Address, Timeout = TimeSpan.FromMinutes(5) };
        await Poll.UntilAsync(async () =>
        {
            if (_gateway.HasExited) throw new InvalidOperationException($"the gateway exited:\n{_gateway.Output}");
            using var ready = await Http.GetAsync("/health/ready");
            return ready.IsSuccessStatusCode;
        }, TimeSpan.FromMinutes(2), "the gateway to be ready");
    }

    /// <summary>
    /// Until the membership table lists every silo as active, as an Orleans client of this process's own reads it; a
    /// new client each try (one that failed to connect, before any silo was listed, does not start again), stopped after.
    /// </summary>
    private async Task WaitForSilosAsync(string clusterId, int silos)
    {
        await Poll.UntilAsync(async () =>
        {
            if (Silos.Any(s => s.HasExited)) throw new InvalidOperationException($"a silo exited:\n{string.Join("\n", Silos.Select(s => s.Output))}");
            using var client = BareClusterClient.Build(_azurite!.ConnectionString, clusterId);
            try
            {
                await client.StartAsync();
                var management = client.Services.GetRequiredService<IClusterClient>().GetGrain<IManagementGrain>(0);
                var joined = (await management.GetHosts(onlyActive: true)).Count == silos;
                await client.StopAsync();
                if (!joined) await Task.Delay(500);
                return joined;
            }
            catch (Exception e) when (e is OrleansException or TimeoutException or InvalidOperationException)
            {
                await Task.Delay(500);
                return false; // no silo in the table yet
            }
        }, TimeSpan.FromMinutes(2), "every silo to join");
    }

    public async ValueTask DisposeAsync()
    {
        Http?.Dispose();
        if (_gateway is not null) await _gateway.DisposeAsync();
        foreach (var silo in Silos) await silo.DisposeAsync();
        foreach (var quota in _quotas) quota.Dispose();
        if (_azurite is not null) await _azurite.DisposeAsync();
        Directory.Delete(_serveDir, recursive: true);
    }
}
