using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Pixerve.Gateway;

namespace Pixerve.Tests.Infrastructure;

/// <summary>
/// Pixerve as a deployment runs it: a real Azurite, real silo processes clustered through its membership
/// table, and a gateway (in this process) that finds them there.
/// </summary>
public sealed class ProcessCluster : IAsyncDisposable
{
    private readonly string _serveDir = Directory.CreateTempSubdirectory("pixerve-serve-").FullName;
    private AzuriteServer? _azurite;
    private WebApplication? _gateway;

    public List<SiloProcess> Silos { get; } = [];
    public HttpClient Http { get; private set; } = null!;

    /// <param name="siloSettings">Settings of every silo (and the gateway) on top of the cluster's own.</param>
    /// <param name="extraSettings">Settings of one silo, by its index.</param>
    public static async Task<ProcessCluster> StartAsync(int silos, string jwtSecret, IReadOnlyDictionary<string, string>? siloSettings = null,
        Func<int, IReadOnlyDictionary<string, string>>? extraSettings = null, params string[] gatewaySettings)
    {
        var cluster = new ProcessCluster();
        try
        {
            await cluster.InitializeAsync(silos, jwtSecret, siloSettings ?? new Dictionary<string, string>(), extraSettings, gatewaySettings);
            return cluster;
        }
        catch
        {
            await cluster.DisposeAsync();
            throw;
        }
    }

    private async Task InitializeAsync(int silos, string jwtSecret, IReadOnlyDictionary<string, string> siloSettings,
        Func<int, IReadOnlyDictionary<string, string>>? extraSettings, string[] gatewaySettings)
    {
        _azurite = await AzuriteServer.StartAsync();
        var settings = new Dictionary<string, string>
        {
            [PixerveConfiguration.StorageConnectionStringKey] = _azurite.ConnectionString,
            [PixerveConfiguration.ServeDirKey] = _serveDir,
            ["Pixerve:Cluster:Mode"] = "azure",
            ["Pixerve:Cluster:Id"] = $"test-{Guid.NewGuid():N}",
        };
        foreach (var (key, value) in siloSettings) settings[key] = value;
        for (var i = 0; i < silos; i++)
        {
            var own = new Dictionary<string, string>(settings);
            foreach (var (key, value) in extraSettings?.Invoke(i) ?? new Dictionary<string, string>()) own[key] = value;
            Silos.Add(SiloProcess.Start(own));
        }

        var args = settings.Select(s => $"--{s.Key}={s.Value}")
            .Append($"--Pixerve:Jwt:Secret={jwtSecret}").Append("--urls=http://127.0.0.1:0")
            .Concat(gatewaySettings).ToArray();
        _gateway = GatewayApp.Build(args);
        await _gateway.StartAsync();
        Http = new HttpClient
        {
            BaseAddress = new Uri(_gateway.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First()),
            Timeout = TimeSpan.FromMinutes(5),
        };

        var management = _gateway.Services.GetRequiredService<IClusterClient>().GetGrain<IManagementGrain>(0);
        await Poll.UntilAsync(async () =>
        {
            if (Silos.Any(s => s.HasExited)) throw new InvalidOperationException($"a silo exited:\n{string.Join("\n", Silos.Select(s => s.Output))}");
            return (await management.GetHosts(onlyActive: true)).Count == silos;
        }, TimeSpan.FromMinutes(2), "every silo to join");
    }

    /// <summary>The gateway leaves the cluster first, so its client does not report the silos going away.</summary>
    public async ValueTask DisposeAsync()
    {
        Http?.Dispose();
        if (_gateway is not null) await _gateway.DisposeAsync();
        foreach (var silo in Silos) await silo.DisposeAsync();
        if (_azurite is not null) await _azurite.DisposeAsync();
        Directory.Delete(_serveDir, recursive: true);
    }
}
