using System.Diagnostics;
using System.Net;
using Pixerve.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Pixerve.Tests.Gateway;

/// <summary>
/// The image's way of starting Pixerve without a container engine: the app published by deploy/publish.sh, started by
/// deploy/entrypoint.sh with the Kubernetes manifests' settings (loopback addresses, free ports and a real Azurite in
/// place of the cluster's), answering the probes the manifests name, and stopping cleanly on SIGTERM as PID 1 must.
/// </summary>
[Collection(ProcessClusterCollection.Name)]
public sealed class ContainerEntrypointTests(PublishedApp published, ITestOutputHelper output) : IClassFixture<PublishedApp>
{
    private static readonly string Entrypoint = Path.Combine(RepositoryPaths.Root, "deploy", "entrypoint.sh");

    [Fact]
    public async Task The_entrypoint_starts_a_silo_and_a_gateway_that_answer_the_manifests_probes_and_stop_on_sigterm()
    {
        output.WriteLine($"deploy/publish.sh took {published.PublishTime.TotalSeconds:F0} s");
        var manifests = KubernetesManifests.Load();
        var siloContainer = manifests.Container("pixerve-silo");
        var gatewayContainer = manifests.Container("pixerve-gateway");
        await using var azurite = await AzuriteServer.StartAsync();
        var data = Directory.CreateTempSubdirectory("pixerve-entrypoint-");
        try
        {
            // The manifests' settings, with what only a cluster has replaced by loopback stand-ins. Mode kubernetes
            // needs the Kubernetes API, which does not run here: azure mode is the same tables without the pod watch.
            var metricsPort = ServerProcess.FreePort();
            var shared = new Dictionary<string, string?>
            {
                ["Pixerve__Cluster__Mode"] = "azure",
                ["Pixerve__Cluster__Id"] = $"entry{Guid.NewGuid():N}"[..20],
                ["Pixerve__Storage__ConnectionString"] = azurite.ConnectionString,
                ["Pixerve__DataDir"] = data.FullName,
                ["Pixerve__ServeDir"] = Path.Combine(data.FullName, "files"),
            };
            var silo = Start(KubernetesManifests.Sequence(siloContainer, "args").Single().ToString(), manifests.Environment(siloContainer), shared,
                new Dictionary<string, string?>
                {
                    ["Pixerve__Silo__Port"] = $"{ServerProcess.FreePort()}",
                    ["Pixerve__Silo__GatewayPort"] = $"{ServerProcess.FreePort()}",
                    ["Pixerve__Metrics__Port"] = $"{metricsPort}",
                    ["Pixerve__Metrics__Host"] = "localhost",
                    ["Pixerve__Webhooks__Secret"] = "a-valid-webhook-secret-0123456789abcdef",
                });
            await using (silo)
            {
                await ProbesAnswerAsync(silo, siloContainer, metricsPort);
                var gatewayPort = ServerProcess.FreePort();
                var gateway = Start(KubernetesManifests.Sequence(gatewayContainer, "args").Single().ToString(), manifests.Environment(gatewayContainer), shared,
                    new Dictionary<string, string?>
                    {
                        ["Urls"] = $"http://127.0.0.1:{gatewayPort}",
                        ["Pixerve__Jwt__Secret"] = PixerveFixture.JwtSecret,
                        ["Pixerve__AdminToken"] = "an-admin-token-for-the-entrypoint-test",
                    });
                await using (gateway)
                {
                    await ProbesAnswerAsync(gateway, gatewayContainer, gatewayPort);
                    // The manifests ask for JSON log lines: the published app honours it.
                    Assert.Contains(gateway.Output.Split('\n'), line => line.StartsWith('{') && line.Contains("\"LogLevel\":", StringComparison.Ordinal));
                    await StopsCleanlyAsync(gateway, "gateway");
                }

                await StopsCleanlyAsync(silo, "silo");
            }
        }
        finally
        {
            data.Delete(recursive: true);
        }
    }

    [Fact]
    public async Task The_entrypoint_refuses_an_unknown_role_with_its_usage()
    {
        var process = Start("worker", new Dictionary<string, string?>(), new Dictionary<string, string?>(), new Dictionary<string, string?>());
        await using (process)
        {
            using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            await process.WaitForExitAsync(deadline.Token);
            Assert.Equal(64, process.ExitCode);
            Assert.Contains("usage: entrypoint.sh silo|gateway", process.Output);
        }
    }

    private ServerProcess Start(string role, params IReadOnlyDictionary<string, string?>[] settings)
    {
        var start = new ProcessStartInfo(Entrypoint) { ArgumentList = { role }, WorkingDirectory = published.Directory };
        foreach (var key in start.Environment.Keys.Where(k => k.StartsWith("PIXERVE_", StringComparison.Ordinal) || k.StartsWith("Pixerve__", StringComparison.Ordinal)).ToList())
            start.Environment.Remove(key);
        foreach (var layer in settings)
        foreach (var (key, value) in layer)
            start.Environment[key] = value;
        start.Environment["PIXERVE_APP_DIR"] = published.Directory;
        return ServerProcess.Start($"entrypoint {role}", start);
    }

    /// <summary>Every probe the manifest gives the container answers 200 on <paramref name="port"/>, as the kubelet asks it.</summary>
    private static async Task ProbesAnswerAsync(ServerProcess process, YamlDotNet.RepresentationModel.YamlMappingNode container, int port)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        foreach (var probe in new[] { "startupProbe", "livenessProbe", "readinessProbe" })
        {
            var path = KubernetesManifests.Text(container, probe, "httpGet", "path");
            await Poll.UntilAsync(async () =>
            {
                if (process.HasExited) throw new InvalidOperationException($"exited with {process.ExitCode}:\n{process.Output}");
                try
                {
                    using var response = await http.GetAsync($"http://127.0.0.1:{port}{path}");
                    return response.StatusCode == HttpStatusCode.OK;
                }
                catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
                {
                    return false;
                }
            }, TimeSpan.FromMinutes(2), $"{probe} {path} on port {port}");
        }
    }

    /// <summary>SIGTERM reaches the process itself (the entrypoint execs it) and it exits 0.</summary>
    private static async Task StopsCleanlyAsync(ServerProcess process, string name)
    {
        process.Terminate();
        using var deadline = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        await process.WaitForExitAsync(deadline.Token);
        Assert.True(process.ExitCode == 0, $"the {name} exited with {process.ExitCode}:\n{process.Output}");
    }
}
