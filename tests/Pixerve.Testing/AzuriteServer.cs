using System.Diagnostics;

namespace Pixerve.Tests.Infrastructure;

/// <summary>A real Azurite (the npm package under <c>Azurite/</c>) on free loopback ports, in memory, for one test run.</summary>
public sealed class AzuriteServer : IAsyncDisposable
{
    private const string AccountKey = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";
    private readonly ServerProcess _process;

    private AzuriteServer(ServerProcess process, int blobPort, int tablePort)
    {
        _process = process;
        ConnectionString =
            "DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;" +
            $"AccountKey={AccountKey};" +
            $"BlobEndpoint=http://127.0.0.1:{blobPort}/devstoreaccount1;" +
            $"TableEndpoint=http://127.0.0.1:{tablePort}/devstoreaccount1;";
    }

    public string ConnectionString { get; }

    public static async Task<AzuriteServer> StartAsync()
    {
        var executable = Path.Combine(RepositoryPaths.Root, "Azurite", "node_modules", ".bin", "azurite");
        if (!File.Exists(executable))
            throw new InvalidOperationException($"{executable} is missing: run 'npm ci --prefix Azurite' (./test.sh does)");

        return await ServerProcess.StartOnFreePortsAsync(3, async ports =>
        {
            var (blobPort, queuePort, tablePort) = (ports[0], ports[1], ports[2]);
            var start = new ProcessStartInfo(executable)
            {
                ArgumentList =
                {
                    "--inMemoryPersistence", "--skipApiVersionCheck", "--disableProductStyleUrl", "--silent",
                    "--blobHost", "127.0.0.1", "--blobPort", blobPort.ToString(),
                    "--queueHost", "127.0.0.1", "--queuePort", queuePort.ToString(),
                    "--tableHost", "127.0.0.1", "--tablePort", tablePort.ToString(),
                },
                // In-memory data and no --location (Azurite refuses both); its debug log stays off.
                WorkingDirectory = Path.GetTempPath(),
            };
            // Azurite may ignore SIGTERM; the process is SIGKILLed at the end, nothing of it needs to survive.
            return new AzuriteServer(await ServerProcess.StartAsync("Azurite", start, blobPort, tablePort), blobPort, tablePort);
        });
    }

    public ValueTask DisposeAsync() => _process.DisposeAsync();
}
