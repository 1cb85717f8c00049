using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Pixerve.Gateway.Hosting;
using Pixerve.ServiceDefaults;

namespace Pixerve.Testing;

/// <summary>
/// Pixerve as a deployment runs it: a real Azurite, real silo processes clustered through its membership
/// table, and a gateway (in this process) that finds them there.
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

    public List<SiloProcess> Silos { get; } = [];

    /// <summary>The first gateway's client; <see cref="AddGatewayAsync"/> starts more.</summary>
    public HttpClient Http { get; private set; } = null!;

    public string StorageConnectionString => _azurite!.ConnectionString;

    /// <summary>The storage emulator, to take it away (<see cref="AzuriteServer.Pause"/>, <see cref="AzuriteServer.StopAsync"/>).</summary>
    public AzuriteServer Azurite => _azurite!;

    /// <summary>Where the silos write <c>directHost</c> outputs (<c>{subDir}/{hash}_…</c>).</summary>
    public string ServeDir => _serveDir;

    /// <summary>The first gateway's Orleans client: management calls (hosts, grain statistics) go through it.</summary>
    public IClusterClient ClusterClient => _gateways[0].Services.GetRequiredService<IClusterClient>();

    /// <param name="siloSettings">Settings of every silo (and the gateway) on top of the cluster's own.</param>
    /// <param name="extraSettings">Settings of one silo, by its index.</param>
    /// <param name="durableStorage">Azurite keeps its data on disk, so that a test can stop and restart it.</param>
    public static async Task<ProcessCluster> StartAsync(int silos, string jwtSecret, IReadOnlyDictionary<string, string>? siloSettings = null,
        Func<int, IReadOnlyDictionary<string, string>>? extraSettings = null, bool durableStorage = false, params string[] gatewaySettings)
    {
        var cluster = new ProcessCluster();
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
        };
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
        return new HttpClient { BaseAddress = new Uri(_gatewayAddresses[^1]), Timeout = TimeSpan.FromMinutes(5) };
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
        Directory.Delete(_serveDir, recursive: true);
    }
}
