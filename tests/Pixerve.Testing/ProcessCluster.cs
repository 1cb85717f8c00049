using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Pixerve.Gateway.Hosting;
using Pixerve.ServiceDefaults;

namespace Pixerve.Testing;

/// <summary>
/// Pixerve as a deployment runs it: a real Azurite (staging, and with the <c>azure</c> cluster provider membership,
/// grain state and reminders), real silo processes clustered through the provider's membership table, and a gateway
/// (in this process) that finds them there. With the <c>postgres</c> provider, a real PostgreSQL of its own too.
/// </summary>
public sealed class ProcessCluster : IAsyncDisposable
{
    private readonly string _serveDir = Directory.CreateTempSubdirectory("pixerve-serve-").FullName;
    private readonly List<Dictionary<string, string>> _siloSettings = [];
    private readonly List<WebApplication> _gateways = [];
    private readonly HashSet<WebApplication> _stoppedGateways = [];
    private readonly List<string> _gatewayAddresses = []; // kept: a stopped server's may be gone
    private string[] _gatewayArgs = [];
    private AzuriteServer? _azurite;
    private PostgresServer? _postgres;
    private RedisServer? _redis;
    private IReadOnlyDictionary<string, string>? _store;

    public List<SiloProcess> Silos { get; } = [];

    /// <summary>The first gateway's client; <see cref="AddGatewayAsync"/> starts more.</summary>
    public HttpClient Http { get; private set; } = null!;

    public string StorageConnectionString => _azurite!.ConnectionString;

    /// <summary>The storage emulator, to take it away (<see cref="AzuriteServer.Pause"/>, <see cref="AzuriteServer.StopAsync"/>).</summary>
    public AzuriteServer Azurite => _azurite!;

    /// <summary>Where membership, grain state and reminders are kept (<c>Pixerve:Cluster:Provider</c>).</summary>
    public ClusterProvider Provider { get; private set; }

    /// <summary>The cluster's PostgreSQL, with the <c>postgres</c> provider (to take it away, or to look into its tables).</summary>
    public PostgresServer Postgres => _postgres ?? throw new InvalidOperationException($"the cluster runs on {Provider}, not postgres");

    /// <summary>The database of the cluster's PostgreSQL, with the <c>postgres</c> provider.</summary>
    public string PostgresConnectionString { get; private set; } = "";

    /// <summary>Where the silos write <c>directHost</c> outputs (<c>{subDir}/{hash}_…</c>).</summary>
    public string ServeDir => _serveDir;

    /// <summary>The first gateway's Orleans client: management calls (hosts, grain statistics) go through it.</summary>
    public IClusterClient ClusterClient => _gateways[0].Services.GetRequiredService<IClusterClient>();

    /// <param name="siloSettings">Settings of every silo (and the gateway) on top of the cluster's own.</param>
    /// <param name="extraSettings">Settings of one silo, by its index.</param>
    /// <param name="durableStorage">Azurite keeps its data on disk, so that a test can stop and restart it.</param>
    /// <param name="provider">The cluster provider; staging stays in Azurite whichever it is.</param>
    /// <param name="store">
    /// The provider's settings for a store the test started itself (<c>Pixerve:Cluster:…</c>, e.g.
    /// <see cref="RedisServer.ClusterSettings"/>), to take it away; none: the cluster starts its own (Azurite,
    /// PostgreSQL or Redis).
    /// </param>
    public static async Task<ProcessCluster> StartAsync(int silos, string jwtSecret, IReadOnlyDictionary<string, string>? siloSettings = null,
        Func<int, IReadOnlyDictionary<string, string>>? extraSettings = null, bool durableStorage = false,
        ClusterProvider provider = ClusterProvider.Azure, IReadOnlyDictionary<string, string>? store = null, params string[] gatewaySettings)
    {
        var cluster = new ProcessCluster { Provider = provider, _store = store };
        try
        {
            await cluster.InitializeAsync(silos, jwtSecret, siloSettings ?? new Dictionary<string, string>(), extraSettings, durableStorage,
                gatewaySettings);
            return cluster;
        }
        catch
        {
            await cluster.DisposeAsync();
            throw;
        }
    }

    private async Task InitializeAsync(int silos, string jwtSecret, IReadOnlyDictionary<string, string> siloSettings,
        Func<int, IReadOnlyDictionary<string, string>>? extraSettings, bool durableStorage, string[] gatewaySettings)
    {
        _azurite = await AzuriteServer.StartAsync(durableStorage);
        var settings = new Dictionary<string, string>
        {
            [PixerveConfiguration.StorageConnectionStringKey] = _azurite.ConnectionString,
            [PixerveConfiguration.ServeDirKey] = _serveDir,
            ["Pixerve:Cluster:Mode"] = "azure",
            ["Pixerve:Webhooks:Secret"] = "process-cluster-webhook-secret-0123456789abcdef",
            ["Pixerve:Cluster:Id"] = $"test-{Guid.NewGuid():N}",
            // Gateways stop at once unless a test drains them (its own setting overrides this one).
            ["Pixerve:Gateway:ShutdownDelay"] = "00:00:00",
            ["Pixerve:Cluster:Provider"] = Provider.ToString().ToLowerInvariant(),
        };
        switch (Provider)
        {
            case ClusterProvider.Azure:
                break;
            case not ClusterProvider.Azure when _store is not null:
                foreach (var (key, value) in _store) settings[key] = value;
                break;
            case ClusterProvider.Redis:
                _redis = await RedisServer.StartAsync();
                foreach (var (key, value) in _redis.ClusterSettings) settings[key] = value;
                break;
            case ClusterProvider.Postgres:
                _postgres = await PostgresServer.StartAsync();
                PostgresConnectionString = await _postgres.CreateDatabaseAsync();
                settings["Pixerve:Cluster:Postgres:ConnectionString"] = PostgresConnectionString;
                break;
            default:
                throw new NotSupportedException($"ProcessCluster does not start a {Provider} store yet");
        }

        foreach (var (key, value) in siloSettings) settings[key] = value;
        for (var i = 0; i < silos; i++)
        {
            var own = new Dictionary<string, string>(settings);
            foreach (var (key, value) in extraSettings?.Invoke(i) ?? new Dictionary<string, string>()) own[key] = value;
            _siloSettings.Add(own);
            Silos.Add(SiloProcess.Start(own));
        }

        _gatewayArgs = settings.Select(s => $"--{s.Key}={s.Value}")
            .Append($"--Pixerve:Jwt:Secret={jwtSecret}").Append("--urls=http://127.0.0.1:0")
            .Concat(gatewaySettings).ToArray();
        Http = await AddGatewayAsync();

        var management = ClusterClient.GetGrain<IManagementGrain>(0);
        await Poll.UntilAsync(async () =>
        {
            if (Silos.Any(s => s.HasExited)) throw new InvalidOperationException($"a silo exited:\n{string.Join("\n", Silos.Select(s => s.Output))}");
            return (await management.GetHosts(onlyActive: true)).Count == silos;
        }, TimeSpan.FromMinutes(2), "every silo to join");
    }

    /// <summary>Another gateway process-alike: its own web server and Orleans client, finding the silos in the membership table.</summary>
    public async Task<HttpClient> AddGatewayAsync()
    {
        var gateway = GatewayApp.Build(_gatewayArgs);
        _gateways.Add(gateway);
        await gateway.StartAsync();
        _gatewayAddresses.Add(AddressOf(gateway));
        // Every answer a process cluster's gateway gives the tests is held to the OpenAPI document, as the in-process fixture's are.
        return new HttpClient(new OpenApiValidatingHandler(OpenApiContract.Document))
        {
            BaseAddress = new Uri(_gatewayAddresses[^1]), Timeout = TimeSpan.FromMinutes(5),
        };
    }

    private static string AddressOf(WebApplication gateway) =>
        gateway.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();

    /// <summary>
    /// Stops gateway <paramref name="index"/> (0 is <see cref="Http"/>'s, then in the order of <see cref="AddGatewayAsync"/>)
    /// as SIGTERM stops the gateway process: the host's graceful stop, after which its port refuses connections.
    /// </summary>
    public async Task StopGatewayAsync(int index, CancellationToken cancellationToken = default)
    {
        var gateway = _gateways[index];
        _stoppedGateways.Add(gateway);
        await gateway.StopAsync(cancellationToken);
    }

    /// <summary>
    /// A new gateway in place of gateway <paramref name="index"/>, stopped first if it still runs, on the same address,
    /// so that the clients made for it (a load balancer's target) reach the new one.
    /// </summary>
    public async Task RestartGatewayAsync(int index)
    {
        var old = _gateways[index];
        var address = _gatewayAddresses[index];
        if (_stoppedGateways.Add(old)) await old.StopAsync();
        await old.DisposeAsync();
        var gateway = GatewayApp.Build([.. _gatewayArgs, $"--urls={address}"]);
        _gateways[index] = gateway;
        await gateway.StartAsync();
    }

    /// <summary>The silos the membership table lists as active now, as a running gateway's cluster client sees it.</summary>
    public async Task<IReadOnlyList<SiloAddress>> ActiveSilosAsync(int gateway = 0)
    {
        var management = _gateways[gateway].Services.GetRequiredService<IClusterClient>().GetGrain<IManagementGrain>(0);
        return (await management.GetHosts(onlyActive: true)).Keys.ToList();
    }

    /// <summary>Starts silo <paramref name="index"/> again, on its old ports and settings, after it was killed.</summary>
    public async Task<SiloProcess> RestartSiloAsync(int index)
    {
        var old = Silos[index];
        await old.DisposeAsync();
        var silo = SiloProcess.Start(_siloSettings[index], old.SiloPort, old.GatewayPort);
        Silos[index] = silo;
        return silo;
    }

    /// <summary>The gateways leave the cluster first, so their clients do not report the silos going away.</summary>
    public async ValueTask DisposeAsync()
    {
        Http?.Dispose();
        foreach (var gateway in _gateways) await gateway.DisposeAsync();
        foreach (var silo in Silos) await silo.DisposeAsync();
        if (_azurite is not null) await _azurite.DisposeAsync();
        if (_postgres is not null) await _postgres.DisposeAsync();
        if (_redis is not null) await _redis.DisposeAsync();
        Directory.Delete(_serveDir, recursive: true);
    }
}
