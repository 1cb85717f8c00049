using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Reflection;

namespace Pixerve.Bench;

/// <summary>A child process of the end-to-end run (Azurite or a silo), its output kept for error messages.</summary>
internal sealed class ChildProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly ConcurrentQueue<string> _output = new();

    private ChildProcess(string name, Process process)
    {
        Name = name;
        _process = process;
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) _output.Enqueue(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) _output.Enqueue(e.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    public string Name { get; }
    public bool HasExited => _process.HasExited;
    public string Output => string.Join('\n', _output.TakeLast(40));

    public static ChildProcess Start(string name, ProcessStartInfo start)
    {
        start.RedirectStandardOutput = true;
        start.RedirectStandardError = true;
        return new ChildProcess(name, Process.Start(start) ?? throw new InvalidOperationException($"{name} did not start"));
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited) _process.Kill(entireProcessTree: true);
        await _process.WaitForExitAsync();
        _process.Dispose();
    }
}

/// <summary>Azurite in memory and N real silo processes in azure clustering mode, as README "Run a cluster" runs them.</summary>
internal sealed class ClusterProcesses : IAsyncDisposable
{
    private const string AccountKey = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";
    private readonly List<ChildProcess> _children = [];

    public required string ConnectionString { get; init; }
    public required string ClusterId { get; init; }
    public required string ServeDir { get; init; }

    public static async Task<ClusterProcesses> StartAsync(string root, int silos)
    {
        var azurite = Path.Combine(root, "Azurite", "node_modules", ".bin", "azurite");
        if (!File.Exists(azurite)) throw new InvalidOperationException($"{azurite} is missing: run 'npm ci --prefix Azurite'");
        var silo = Path.Combine(root, "src", "Pixerve.Silo", "bin", BuildConfiguration, "net10.0", "Pixerve.Silo.dll");
        if (!File.Exists(silo)) throw new InvalidOperationException($"{silo} is missing: build the solution in {BuildConfiguration}");

        var (blobPort, queuePort, tablePort) = (FreePort(), FreePort(), FreePort());
        var cluster = new ClusterProcesses
        {
            ConnectionString = "DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;" +
                               $"AccountKey={AccountKey};" +
                               $"BlobEndpoint=http://127.0.0.1:{blobPort}/devstoreaccount1;" +
                               $"TableEndpoint=http://127.0.0.1:{tablePort}/devstoreaccount1;",
            ClusterId = $"bench-{Guid.NewGuid():N}",
            ServeDir = Directory.CreateTempSubdirectory("pixerve-bench-serve-").FullName,
        };
        cluster._children.Add(ChildProcess.Start("azurite", new ProcessStartInfo(azurite)
        {
            ArgumentList =
            {
                "--inMemoryPersistence", "--skipApiVersionCheck", "--disableProductStyleUrl", "--silent",
                "--blobHost", "127.0.0.1", "--blobPort", $"{blobPort}",
                "--queueHost", "127.0.0.1", "--queuePort", $"{queuePort}",
                "--tableHost", "127.0.0.1", "--tablePort", $"{tablePort}",
            },
            WorkingDirectory = Path.GetTempPath(),
        }));
        await cluster.WaitAsync(() => Listening(blobPort) && Listening(tablePort), TimeSpan.FromSeconds(30), "Azurite to listen");

        for (var i = 0; i < silos; i++)
        {
            var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
            {
                ArgumentList = { silo },
                WorkingDirectory = Path.GetDirectoryName(silo)!,
            };
            foreach (var variable in start.Environment.Keys.Where(k => k.StartsWith("PIXERVE_", StringComparison.Ordinal)).ToList())
                start.Environment.Remove(variable);
            foreach (var (key, value) in cluster.Settings) start.Environment[key.Replace(":", "__")] = value;
            start.Environment["Pixerve__Silo__Port"] = $"{FreePort()}";
            start.Environment["Pixerve__Silo__GatewayPort"] = $"{FreePort()}";
            start.Environment["Logging__LogLevel__Default"] = "Warning";
            cluster._children.Add(ChildProcess.Start($"silo {i + 1}", start));
        }

        return cluster;
    }

    /// <summary>What every process of the cluster (silos and gateway) is configured with.</summary>
    public IReadOnlyDictionary<string, string> Settings => new Dictionary<string, string>
    {
        [PixerveConfiguration.StorageConnectionStringKey] = ConnectionString,
        [PixerveConfiguration.ServeDirKey] = ServeDir,
        ["Pixerve:Cluster:Mode"] = "azure",
        ["Pixerve:Cluster:Id"] = ClusterId,
    };

    /// <summary>Polls <paramref name="condition"/> until it holds, failing early when a child process died.</summary>
    public async Task WaitAsync(Func<bool> condition, TimeSpan timeout, string what) =>
        await WaitAsync(() => Task.FromResult(condition()), timeout, what);

    public async Task WaitAsync(Func<Task<bool>> condition, TimeSpan timeout, string what)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!await condition())
        {
            if (_children.FirstOrDefault(c => c.HasExited) is { } dead)
                throw new InvalidOperationException($"{dead.Name} exited:\n{dead.Output}");
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"gave up waiting {timeout.TotalSeconds:F0} s for {what}");
            await Task.Delay(100);
        }
    }

    public async ValueTask DisposeAsync()
    {
        // Silos first (they are after Azurite in the list), then the storage they talk to.
        foreach (var child in Enumerable.Reverse(_children)) await child.DisposeAsync();
        Directory.Delete(ServeDir, recursive: true);
    }

    private static string BuildConfiguration =>
        typeof(ClusterProcesses).Assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()?.Configuration ?? "Release";

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static bool Listening(int port)
    {
        try
        {
            using var client = new TcpClient();
            client.Connect(IPAddress.Loopback, port);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }
}
