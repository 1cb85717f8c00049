using System.Globalization;
using Azure.Data.Tables;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Orleans.Configuration;
using Pixerve.Cluster.Postgres;
using Pixerve.Cluster.Redis;
using Pixerve.ServiceDefaults;
using Pixerve.Testing;
using Pixerve.Testing.Fixtures;

namespace Pixerve.Bench;

/// <summary>
/// The <c>--e2e</c> cluster with every part in a process of its own, so each one's CPU time and storage requests can
/// be read apart: the stores of its <see cref="ClusterProvider"/> (Azurite in memory for <c>azure</c>; PostgreSQL and
/// s3rver for <c>postgres</c>, staging in S3; Redis for <c>redis</c>, staging in a folder), N <c>Pixerve.Silo</c> processes (each serving Prometheus on a metrics port of
/// its own, each in a CPU-quota cgroup with <c>--cpu-per-silo</c>) and one <c>Pixerve.Gateway</c> process, started
/// once every silo has joined so that its client knows them all. This process only runs the clients.
/// </summary>
internal sealed class ScaleOutCluster : IAsyncDisposable
{
    private readonly string _serveDir = Directory.CreateTempSubdirectory("pixerve-serve-").FullName;
    private readonly List<CpuQuota> _quotas = [];
    private AzuriteServer? _azurite;
    private PostgresServer? _postgres;
    private S3rverServer? _s3;
    private RedisServer? _redis;
    private DirectoryInfo? _stagingFolder;
    private GatewayProcess? _gateway;
    private IReadOnlyDictionary<string, string> _settings = new Dictionary<string, string>();

    public ClusterProvider Provider { get; private init; }

    /// <summary>What the stores are, for the report.</summary>
    public string Stores => Provider switch
    {
        ClusterProvider.Postgres => "PostgreSQL + s3rver",
        ClusterProvider.Redis => "Redis (+ staging folder)",
        _ => "Azurite",
    };

    /// <summary>CPU seconds of the store processes so far: Azurite; PostgreSQL's postmaster and backends and s3rver; Redis.</summary>
    public double StoreCpuSeconds() => Provider switch
    {
        ClusterProvider.Postgres => ProcessCpu.TreeSeconds(_postgres!.ProcessId) + ProcessCpu.Seconds(_s3!.ProcessId),
        ClusterProvider.Redis => ProcessCpu.Seconds(_redis!.ProcessId),
        _ => ProcessCpu.Seconds(_azurite!.ProcessId),
    };

    public List<SiloProcess> Silos { get; } = [];

    /// <summary>Each silo's metrics port, in the order of <see cref="Silos"/>.</summary>
    public List<int> SiloMetricsPorts { get; } = [];

    /// <summary>Each silo's quota, in the order of <see cref="Silos"/>; empty without <c>--cpu-per-silo</c>.</summary>
    public IReadOnlyList<CpuQuota> Quotas => _quotas;

    public HttpClient Http { get; private set; } = null!;

    public int GatewayProcessId => _gateway!.ProcessId;

    /// <summary>Every process's scrape endpoint: the silos' then the gateway's.</summary>
    public IEnumerable<string> MetricsUrls => SiloMetricsPorts.Select(p => $"http://127.0.0.1:{p}/metrics").Append(GatewayMetricsUrl);

    public string GatewayMetricsUrl => new Uri(_gateway!.Address, "/metrics").ToString();

    /// <param name="cpuPerSilo">Each silo's CPU quota, or null for none.</param>
    /// <param name="gatewaySettings">Settings of the gateway only, on top of the cluster's.</param>
    public static async Task<ScaleOutCluster> StartAsync(int silos, double? cpuPerSilo, IReadOnlyDictionary<string, string> siloSettings,
        string jwtSecret, IReadOnlyDictionary<string, string> gatewaySettings, ClusterProvider provider = ClusterProvider.Azure)
    {
        var cluster = new ScaleOutCluster { Provider = provider };
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
        var clusterId = $"bench-{Guid.NewGuid():N}";
        // As ProcessCluster configures its silos and gateway.
        var settings = new Dictionary<string, string>
        {
            [PixerveConfiguration.ServeDirKey] = _serveDir,
            ["Pixerve:Cluster:Mode"] = "azure",
            ["Pixerve:Cluster:Provider"] = Provider.ToString().ToLowerInvariant(),
            ["Pixerve:Webhooks:Secret"] = "process-cluster-webhook-secret-0123456789abcdef",
            ["Pixerve:Cluster:Id"] = clusterId,
            ["Pixerve:Gateway:ShutdownDelay"] = "00:00:00",
        };
        await StartStoresAsync(settings);
        foreach (var (key, value) in siloSettings) settings[key] = value;
        _settings = settings;

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
            using var client = MembershipReader(clusterId);
            try
            {
                await client.StartAsync();
                var management = client.Services.GetRequiredService<IClusterClient>().GetGrain<IManagementGrain>(0);
                var joined = (await management.GetHosts(onlyActive: true)).Count == silos;
                await client.StopAsync();
                if (!joined) await Task.Delay(500);
                return joined;
            }
            catch (Exception e) when (e is OrleansException or TimeoutException or InvalidOperationException or System.Data.Common.DbException)
            {
                await Task.Delay(500);
                return false; // no silo in the table yet (on PostgreSQL: no table yet, until the first silo applied the schema)
            }
        }, TimeSpan.FromMinutes(2), "every silo to join");
    }

    /// <summary>The deployment's stores, as the README's provider choices pair them, and the settings that point at them.</summary>
    private async Task StartStoresAsync(Dictionary<string, string> settings)
    {
        switch (Provider)
        {
            case ClusterProvider.Azure:
                _azurite = await AzuriteServer.StartAsync();
                settings[PixerveConfiguration.StorageConnectionStringKey] = _azurite.ConnectionString;
                break;
            case ClusterProvider.Postgres:
                _postgres = await PostgresServer.StartAsync();
                settings["Pixerve:Cluster:Postgres:ConnectionString"] = await _postgres.CreateDatabaseAsync();
                _s3 = await S3rverServer.StartAsync();
                foreach (var (key, value) in _s3.StagingSettings()) settings[key] = value;
                break;
            case ClusterProvider.Redis:
                _redis = await RedisServer.StartAsync();
                foreach (var (key, value) in _redis.ClusterSettings) settings[key] = value;
                _stagingFolder = Directory.CreateTempSubdirectory("pixerve-bench-staging-");
                settings["Pixerve:Staging:Provider"] = "filesystem";
                settings["Pixerve:Staging:Filesystem:Root"] = _stagingFolder.FullName;
                break;
            default:
                throw new NotSupportedException($"no bench stores for {Provider}");
        }
    }

    /// <summary>An Orleans client that reads the membership table of the cluster's provider, as any process could.</summary>
    private IHost MembershipReader(string clusterId)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(_settings.Select(kv => KeyValuePair.Create(kv.Key, (string?)kv.Value))).Build();
        var builder = Host.CreateApplicationBuilder();
        builder.Logging.ClearProviders();
        builder.UseOrleansClient(client =>
        {
            client.Configure<ClusterOptions>(o =>
            {
                o.ClusterId = clusterId;
                o.ServiceId = PixerveConfiguration.ServiceId;
            });
            switch (Provider)
            {
                case ClusterProvider.Postgres:
                    client.UsePostgresClustering(configuration);
                    break;
                case ClusterProvider.Redis:
                    client.UseRedisClusterMembership(configuration);
                    break;
                default:
                    client.UseAzureStorageClustering(o => o.TableServiceClient = new TableServiceClient(_azurite!.ConnectionString));
                    break;
            }
        });
        return builder.Build();
    }

    public async ValueTask DisposeAsync()
    {
        Http?.Dispose();
        if (_gateway is not null) await _gateway.DisposeAsync();
        foreach (var silo in Silos) await silo.DisposeAsync();
        foreach (var quota in _quotas) quota.Dispose();
        if (_azurite is not null) await _azurite.DisposeAsync();
        if (_postgres is not null) await _postgres.DisposeAsync();
        if (_s3 is not null) await _s3.DisposeAsync();
        if (_redis is not null) await _redis.DisposeAsync();
        _stagingFolder?.Delete(recursive: true);
        Directory.Delete(_serveDir, recursive: true);
    }
}
