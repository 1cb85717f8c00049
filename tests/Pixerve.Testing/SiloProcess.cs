using System.Diagnostics;
using System.Reflection;

namespace Pixerve.Tests.Infrastructure;

/// <summary>A real <c>Pixerve.Silo</c> process, as production runs it, that a test can SIGKILL.</summary>
public sealed class SiloProcess : IAsyncDisposable
{
    private readonly ServerProcess _process;

    private SiloProcess(ServerProcess process, int siloPort)
    {
        _process = process;
        SiloPort = siloPort;
    }

    public int SiloPort { get; }
    public bool HasExited => _process.HasExited;
    public string Output => _process.Output;

    public static SiloProcess Start(IReadOnlyDictionary<string, string> settings)
    {
        var configuration = typeof(SiloProcess).Assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()?.Configuration ?? "Debug";
        var dll = Path.Combine(RepositoryPaths.Root, "src", "Pixerve.Silo", "bin", configuration, "net10.0", "Pixerve.Silo.dll");
        if (!File.Exists(dll)) throw new InvalidOperationException($"{dll} is missing: build the solution first");

        var siloPort = ServerProcess.FreePort();
        var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
        {
            ArgumentList = { dll },
            WorkingDirectory = Path.GetDirectoryName(dll)!,
        };
        foreach (var variable in start.Environment.Keys.Where(k => k.StartsWith("PIXERVE_", StringComparison.Ordinal)).ToList())
            start.Environment.Remove(variable);
        foreach (var (key, value) in settings) start.Environment[key.Replace(":", "__")] = value;
        start.Environment["Pixerve__Silo__Port"] = siloPort.ToString();
        start.Environment["Pixerve__Silo__GatewayPort"] = ServerProcess.FreePort().ToString();
        start.Environment["Logging__LogLevel__Default"] = "Warning";
        return new SiloProcess(ServerProcess.Start("silo", start), siloPort);
    }

    /// <summary>SIGKILL: no shutdown code runs, as when a machine dies.</summary>
    public void Kill() => _process.Kill();

    /// <summary>SIGTERM, as an orchestrator stops a silo.</summary>
    public void Terminate() => _process.Terminate();

    public Task WaitForExitAsync(CancellationToken cancellationToken) => _process.WaitForExitAsync(cancellationToken);

    public ValueTask DisposeAsync() => _process.DisposeAsync();
}
