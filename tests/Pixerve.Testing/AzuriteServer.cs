using System.Diagnostics;

namespace Pixerve.Testing;

/// <summary>
/// A real Azurite (the npm package under <c>Azurite/</c>) on free loopback ports for one test run: in memory, or
/// in a data folder of its own so that it can be stopped and started again with its data, as a storage outage.
/// </summary>
public sealed class AzuriteServer : IAsyncDisposable
{
    private const string AccountKey = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";
    private readonly int[] _ports;
    private readonly string? _dataFolder;
    private ServerProcess _process;

    private AzuriteServer(ServerProcess process, int[] ports, string? dataFolder)
    {
        _process = process;
        _ports = ports;
        _dataFolder = dataFolder;
        ConnectionString =
            "DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;" +
            $"AccountKey={AccountKey};" +
            $"BlobEndpoint=http://127.0.0.1:{ports[0]}/devstoreaccount1;" +
            $"TableEndpoint=http://127.0.0.1:{ports[2]}/devstoreaccount1;";
    }

    public string ConnectionString { get; }

    /// <summary>Azurite's own process (node, started through its script's shebang): the bench reads its CPU time.</summary>
    public int ProcessId => _process.Id;

    /// <param name="durable">Keeps the data in a temporary folder (deleted at the end) instead of in memory, so that
    /// <see cref="StopAsync"/> and <see cref="RestartAsync"/> can take storage away and bring it back as it was.</param>
    public static async Task<AzuriteServer> StartAsync(bool durable = false)
    {
        var dataFolder = durable ? Directory.CreateTempSubdirectory("pixerve-azurite-").FullName : null;
        try
        {
            return await ServerProcess.StartOnFreePortsAsync(3, async ports =>
                new AzuriteServer(await StartProcessAsync(ports, dataFolder), ports, dataFolder));
        }
        catch
        {
            if (dataFolder is not null) Directory.Delete(dataFolder, recursive: true);
            throw;
        }
    }

    private static Task<ServerProcess> StartProcessAsync(int[] ports, string? dataFolder)
    {
        var executable = Path.Combine(RepositoryPaths.Root, "Azurite", "node_modules", ".bin", "azurite");
        if (!File.Exists(executable))
            throw new InvalidOperationException($"{executable} is missing: run 'npm ci --prefix Azurite' (./test.sh does)");

        var (blobPort, queuePort, tablePort) = (ports[0], ports[1], ports[2]);
        var start = new ProcessStartInfo(executable)
        {
            ArgumentList =
            {
                "--skipApiVersionCheck", "--disableProductStyleUrl", "--silent",
                "--blobHost", "127.0.0.1", "--blobPort", blobPort.ToString(),
                "--queueHost", "127.0.0.1", "--queuePort", queuePort.ToString(),
                "--tableHost", "127.0.0.1", "--tablePort", tablePort.ToString(),
            },
            // In memory there is no --location (Azurite refuses both); its debug log stays off either way.
            WorkingDirectory = dataFolder ?? Path.GetTempPath(),
        };
        if (dataFolder is null) start.ArgumentList.Add("--inMemoryPersistence");
        else
        {
            start.ArgumentList.Add("--location");
            start.ArgumentList.Add(dataFolder);
        }

        // Azurite may ignore SIGTERM; the process is SIGKILLed at the end, nothing of it needs to survive.
        return ServerProcess.StartAsync("Azurite", start, blobPort, tablePort);
    }

    /// <summary>SIGSTOP: storage hangs (connections are accepted, nothing answers) until <see cref="Resume"/>.</summary>
    public void Pause() => _process.Pause();

    public void Resume() => _process.Resume();

    /// <summary>
    /// Stops a durable Azurite as its operator would: SIGTERM, which saves its data and closes its ports, and SIGKILL
    /// if it has not exited within <paramref name="grace"/> (Azurite may wait on open connections). True when it
    /// needed the SIGKILL: the writes of its last few seconds may then be lost (it saves every 5 s).
    /// </summary>
    public async Task<bool> StopAsync(TimeSpan grace)
    {
        if (_dataFolder is null) throw new InvalidOperationException("an in-memory Azurite loses everything when it stops");
        _process.Terminate();
        using var exit = new CancellationTokenSource(grace);
        try
        {
            await _process.WaitForExitAsync(exit.Token);
            return false;
        }
        catch (OperationCanceledException)
        {
            _process.Kill();
            await _process.WaitForExitAsync(CancellationToken.None);
            return true;
        }
    }

    /// <summary>Starts Azurite again on its old ports and data folder, after <see cref="StopAsync"/>.</summary>
    public async Task RestartAsync()
    {
        if (_dataFolder is null) throw new InvalidOperationException("an in-memory Azurite has nothing to restart with");
        await _process.DisposeAsync();
        _process = await StartProcessAsync(_ports, _dataFolder);
    }

    public async ValueTask DisposeAsync()
    {
        await _process.DisposeAsync();
        if (_dataFolder is not null) Directory.Delete(_dataFolder, recursive: true);
    }
}
