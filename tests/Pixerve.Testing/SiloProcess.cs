using System.Diagnostics;
using System.Reflection;

namespace Pixerve.Testing;

/// <summary>A real <c>Pixerve.Silo</c> process, as production runs it, that a test can SIGKILL.</summary>
public sealed class SiloProcess : IAsyncDisposable
{
    private readonly ServerProcess _process;

    private SiloProcess(ServerProcess process, int siloPort, int gatewayPort)
    {
        _process = process;
        SiloPort = siloPort;
        GatewayPort = gatewayPort;
    }

    public int SiloPort { get; }
    public int GatewayPort { get; }
    public bool HasExited => _process.HasExited;
    public int ExitCode => _process.ExitCode;

    /// <summary>The silo's own process (started as <c>dotnet Pixerve.Silo.dll</c>, so no wrapper): the bench reads its RSS.</summary>
    public int ProcessId => _process.Id;
    public string Output => _process.Output;

    /// <param name="siloPort">Given to restart a silo where it was; a free port otherwise (likewise <paramref name="gatewayPort"/>).</param>
    /// <param name="arguments">Command-line arguments after the dll (<c>migrate</c>).</param>
    public static SiloProcess Start(IReadOnlyDictionary<string, string> settings, int? siloPort = null, int? gatewayPort = null,
        params string[] arguments)
    {
        var configuration = typeof(SiloProcess).Assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()?.Configuration ?? "Debug";
        var dll = Path.Combine(RepositoryPaths.Root, "src", "Pixerve.Silo", "bin", configuration, "net10.0", "Pixerve.Silo.dll");
        if (!File.Exists(dll)) throw new InvalidOperationException($"{dll} is missing: build the solution first");

        var ports = (Silo: siloPort ?? ServerProcess.FreePort(), Gateway: gatewayPort ?? ServerProcess.FreePort());
        var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
        {
            ArgumentList = { dll },
            WorkingDirectory = Path.GetDirectoryName(dll)!,
        };
        foreach (var argument in arguments) start.ArgumentList.Add(argument);
        foreach (var variable in start.Environment.Keys.Where(k => k.StartsWith("PIXERVE_", StringComparison.Ordinal)).ToList())
            start.Environment.Remove(variable);
        foreach (var (key, value) in settings) start.Environment[key.Replace(":", "__")] = value;
        start.Environment["Pixerve__Silo__Port"] = ports.Silo.ToString();
        start.Environment["Pixerve__Silo__GatewayPort"] = ports.Gateway.ToString();
        start.Environment["Logging__LogLevel__Default"] = "Warning";
        return new SiloProcess(ServerProcess.Start("silo", start), ports.Silo, ports.Gateway);
    }

    /// <summary>SIGKILL: no shutdown code runs, as when a machine dies.</summary>
    public void Kill() => _process.Kill();

    /// <summary>SIGTERM, as an orchestrator stops a silo.</summary>
    public void Terminate() => _process.Terminate();

    public Task WaitForExitAsync(CancellationToken cancellationToken) => _process.WaitForExitAsync(cancellationToken);

    public ValueTask DisposeAsync() => _process.DisposeAsync();
}
