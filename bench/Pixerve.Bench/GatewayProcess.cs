using System.Diagnostics;
using System.Reflection;
using Pixerve.Testing;

namespace Pixerve.Bench;

/// <summary>
/// The gateway as a process of its own (<c>dotnet Pixerve.Gateway.dll</c> from the build output, as run.sh starts it),
/// configured like the silos: then its CPU time is its own, apart from the clients', and its <c>/metrics</c> count only
/// its storage requests.
/// </summary>
internal sealed class GatewayProcess : IAsyncDisposable
{
    private readonly ServerProcess _process;

    private GatewayProcess(ServerProcess process, int port)
    {
        _process = process;
        Address = new Uri($"http://127.0.0.1:{port}");
    }

    public Uri Address { get; }

    public int ProcessId => _process.Id;

    public bool HasExited => _process.HasExited;

    public string Output => _process.Output;

    /// <summary>Starts the gateway on a free loopback port and waits until it listens.</summary>
    /// <param name="settings">Configuration keys (<c>Pixerve:…</c>) and values, passed as environment variables as the silos get theirs.</param>
    public static Task<GatewayProcess> StartAsync(IReadOnlyDictionary<string, string> settings)
    {
        var configuration = typeof(GatewayProcess).Assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()?.Configuration ?? "Debug";
        var dll = Path.Combine(RepositoryPaths.Root, "src", "Pixerve.Gateway", "bin", configuration, "net10.0", "Pixerve.Gateway.dll");
        if (!File.Exists(dll)) throw new InvalidOperationException($"{dll} is missing: build bench/Pixerve.Bench (it builds the gateway) first");

        return ServerProcess.StartOnFreePortsAsync(1, async ports =>
        {
            var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
            {
                ArgumentList = { dll, $"--urls=http://127.0.0.1:{ports[0]}" },
                WorkingDirectory = Path.GetDirectoryName(dll)!,
            };
            foreach (var variable in start.Environment.Keys.Where(k => k.StartsWith("PIXERVE_", StringComparison.Ordinal)).ToList())
                start.Environment.Remove(variable);
            foreach (var (key, value) in settings) start.Environment[key.Replace(":", "__")] = value;
            return new GatewayProcess(await ServerProcess.StartAsync("gateway", start, ports[0]), ports[0]);
        });
    }

    public ValueTask DisposeAsync() => _process.DisposeAsync();
}
