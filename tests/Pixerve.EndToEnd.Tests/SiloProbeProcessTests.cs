using System.Net;
using System.Net.Sockets;
using Pixerve.Testing;
using Pixerve.Testing.Fixtures;

namespace Pixerve.EndToEnd.Tests;

/// <summary>
/// A real silo process's orchestrator probes on its metrics port: live while the process serves, ready only once it is
/// an active member of the cluster.
/// </summary>
[Collection(ProcessClusterCollection.Name)]
public sealed class SiloProbeProcessTests
{
    private const string WebhookSecret = "a-valid-webhook-secret-0123456789abcdef";

    [Fact]
    public async Task A_silo_is_live_and_ready_once_it_joined_and_metrics_still_answer_beside_the_probes()
    {
        var metricsPort = ServerProcess.FreePort();
        await using var cluster = await ProcessCluster.StartAsync(1, PixerveFixture.JwtSecret,
            extraSettings: _ => new Dictionary<string, string> { ["Pixerve:Metrics:Port"] = $"{metricsPort}" });
        using var http = new HttpClient();

        // The cluster fixture returns once the gateway reached the silo, so the silo has joined.
        await Poll.UntilAsync(async () => (await GetAsync(http, $"http://127.0.0.1:{metricsPort}/health/ready")).Status == HttpStatusCode.OK,
            TimeSpan.FromSeconds(30), "the silo's readiness");
        foreach (var host in new[] { "127.0.0.1", "localhost" })
        {
            Assert.Equal((HttpStatusCode.OK, "Healthy"), await GetAsync(http, $"http://{host}:{metricsPort}/health/live"));
            Assert.Equal((HttpStatusCode.OK, "Healthy"), await GetAsync(http, $"http://{host}:{metricsPort}/health/ready"));
        }

        Assert.Equal(HttpStatusCode.NotFound, (await GetAsync(http, $"http://127.0.0.1:{metricsPort}/health/other")).Status);
        Assert.Contains("orleans_", await PrometheusText.ScrapeAsync(http, $"http://127.0.0.1:{metricsPort}/metrics"));
    }

    [Fact]
    public async Task A_silo_whose_membership_table_does_not_answer_is_live_but_not_ready()
    {
        // Storage that accepts connections and never answers: the silo stays joining, as behind a stalled account.
        using var stalled = new TcpListener(IPAddress.Loopback, 0);
        stalled.Start();
        var held = new System.Collections.Concurrent.ConcurrentQueue<TcpClient>();
        var accepting = Task.Run(async () =>
        {
            try
            {
                while (true) held.Enqueue(await stalled.AcceptTcpClientAsync());
            }
            catch (Exception e) when (e is SocketException or ObjectDisposedException)
            {
                // Stopped at the end of the test.
            }
        });
        var storagePort = ((IPEndPoint)stalled.LocalEndpoint).Port;
        var metricsPort = ServerProcess.FreePort();
        await using var silo = SiloProcess.Start(new Dictionary<string, string>
        {
            ["Pixerve:Webhooks:Secret"] = WebhookSecret,
            ["Pixerve:Cluster:Mode"] = "azure",
            ["Pixerve:Cluster:Id"] = $"probe-{Guid.NewGuid():N}"[..20],
            ["Pixerve:Storage:ConnectionString"] = StalledAccount(storagePort),
            ["Pixerve:Metrics:Port"] = $"{metricsPort}",
        });
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };

        await Poll.UntilAsync(async () =>
        {
            if (silo.HasExited) throw new InvalidOperationException($"the silo exited:\n{silo.Output}");
            // Live, and already waiting on the storage account (so past the point where it would join).
            return !held.IsEmpty && (await GetAsync(http, $"http://127.0.0.1:{metricsPort}/health/live")).Status == HttpStatusCode.OK;
        }, TimeSpan.FromSeconds(60), "the silo to be live and waiting on the stalled storage");
        Assert.Equal((HttpStatusCode.ServiceUnavailable, "Unhealthy"), await GetAsync(http, $"http://127.0.0.1:{metricsPort}/health/ready"));
        Assert.False(silo.HasExited, silo.Output);

        stalled.Stop();
        foreach (var client in held) client.Dispose();
        await accepting;
    }

    /// <summary>Azurite's development account at a port that holds connections open.</summary>
    private static string StalledAccount(int port) =>
        "DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;" +
        "AccountKey=Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==;" +
        $"BlobEndpoint=http://127.0.0.1:{port}/devstoreaccount1;TableEndpoint=http://127.0.0.1:{port}/devstoreaccount1;";

    private static async Task<(HttpStatusCode Status, string Body)> GetAsync(HttpClient http, string url)
    {
        try
        {
            using var response = await http.GetAsync(url);
            return (response.StatusCode, await response.Content.ReadAsStringAsync());
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
        {
            return (0, "");
        }
    }
}
