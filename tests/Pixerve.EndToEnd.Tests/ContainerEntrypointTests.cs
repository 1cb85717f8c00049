using System.Diagnostics;
using System.Net;
using System.Security.Cryptography.X509Certificates;
using Xunit.Abstractions;
using Pixerve.Testing;
using Pixerve.Testing.Deployment;
using Pixerve.Testing.Fixtures;

namespace Pixerve.EndToEnd.Tests;

/// <summary>
/// The image's way of starting Pixerve without a container engine: the app published by deploy/publish.sh, started by
/// deploy/entrypoint.sh with the Kubernetes manifests' settings (loopback addresses, free ports, a real Azurite and a
/// test certificate in place of the cluster's), joined over cluster TLS, answering the probes the manifests name on
/// the probe port, metrics on the metrics port and the API on its own, and stopping cleanly on SIGTERM as PID 1 must.
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
        using var certificate = TestCertificate.Create("pixerve-cluster");
        try
        {
            // The manifests' settings, with what only a cluster has replaced by loopback stand-ins. Mode kubernetes
            // needs the Kubernetes API, which does not run here: azure mode is the same tables without the pod watch.
            // Cluster TLS stays on as the manifests set it, with a certificate of the test's in place of the mounted
            // Secret's (keystore.p12, and itself as ca.crt), pinned so that it is accepted with or without a CA check.
            var caPath = Path.Combine(data.FullName, "ca.crt");
            using (var loaded = X509CertificateLoader.LoadPkcs12FromFile(certificate.Path, certificate.Password))
                await File.WriteAllTextAsync(caPath, loaded.ExportCertificatePem());
            var shared = new Dictionary<string, string?>
            {
                ["Pixerve__Cluster__Mode"] = "azure",
                ["Pixerve__Cluster__Id"] = $"entry{Guid.NewGuid():N}"[..20],
                ["Pixerve__Storage__ConnectionString"] = azurite.ConnectionString,
                ["Pixerve__DataDir"] = data.FullName,
                ["Pixerve__ServeDir"] = Path.Combine(data.FullName, "files"),
                ["Pixerve__Cluster__Tls__CertificatePath"] = certificate.Path,
                ["Pixerve__Cluster__Tls__CertificatePassword"] = certificate.Password,
                ["Pixerve__Cluster__Tls__CaCertificatePath"] = caPath,
                ["Pixerve__Cluster__Tls__AllowedRemoteThumbprints__0"] = certificate.Thumbprint,
            };
            Assert.Equal("true", manifests.Environment(siloContainer)["Pixerve__Cluster__Tls__Enabled"]);
            var siloPorts = new Dictionary<string, int> { ["metrics"] = ServerProcess.FreePort(), ["probes"] = ServerProcess.FreePort() };
            var silo = Start(KubernetesManifests.Sequence(siloContainer, "args").Single().ToString(), manifests.Environment(siloContainer), shared,
                new Dictionary<string, string?>
                {
                    ["Pixerve__Silo__Port"] = $"{ServerProcess.FreePort()}",
                    ["Pixerve__Silo__GatewayPort"] = $"{ServerProcess.FreePort()}",
                    ["Pixerve__Metrics__Port"] = $"{siloPorts["metrics"]}",
                    ["Pixerve__Metrics__ProbePort"] = $"{siloPorts["probes"]}",
                    ["Pixerve__Metrics__Host"] = "localhost",
                    ["Pixerve__Webhooks__Secret"] = "a-valid-webhook-secret-0123456789abcdef",
                });
            await using (silo)
            {
                await ProbesAnswerAsync(silo, siloContainer, siloPorts);
                // Each port serves only its own: no metrics among the probes, no probes beside the metrics.
                Assert.Equal(HttpStatusCode.NotFound, (await GetAsync($"http://127.0.0.1:{siloPorts["probes"]}/metrics")).Status);
                Assert.NotEqual((HttpStatusCode.OK, "Healthy"), await GetAsync($"http://127.0.0.1:{siloPorts["metrics"]}/health/live"));
                Assert.Contains("orleans_", (await GetAsync($"http://127.0.0.1:{siloPorts["metrics"]}/metrics")).Body);

                var gatewayPorts = new Dictionary<string, int>
                {
                    ["http"] = ServerProcess.FreePort(), ["probes"] = ServerProcess.FreePort(), ["metrics"] = ServerProcess.FreePort(),
                };
                var gateway = Start(KubernetesManifests.Sequence(gatewayContainer, "args").Single().ToString(), manifests.Environment(gatewayContainer), shared,
                    new Dictionary<string, string?>
                    {
                        ["Urls"] = string.Join(';', gatewayPorts.Values.Select(p => $"http://127.0.0.1:{p}")),
                        ["Pixerve__Gateway__ProbePort"] = $"{gatewayPorts["probes"]}",
                        ["Pixerve__Gateway__MetricsPort"] = $"{gatewayPorts["metrics"]}",
                        ["Pixerve__Jwt__Secret"] = PixerveFixture.JwtSecret,
                        ["Pixerve__AdminToken"] = "an-admin-token-for-the-entrypoint-test",
                    });
                await using (gateway)
                {
                    // Ready: the gateway's cluster client reached the silo, over TLS.
                    await ProbesAnswerAsync(gateway, gatewayContainer, gatewayPorts);
                    var (http, probes, metrics) = (gatewayPorts["http"], gatewayPorts["probes"], gatewayPorts["metrics"]);
                    Assert.Equal(HttpStatusCode.OK, (await GetAsync($"http://127.0.0.1:{http}/version")).Status);
                    Assert.Contains("http_server_request_duration", (await GetAsync($"http://127.0.0.1:{metrics}/metrics")).Body);
                    foreach (var (port, path) in new[] { (http, "/health/live"), (http, "/health/ready"), (http, "/metrics"), (probes, "/metrics"),
                                 (probes, "/version"), (metrics, "/health/live"), (metrics, "/version") })
                        Assert.True((await GetAsync($"http://127.0.0.1:{port}{path}")).Status == HttpStatusCode.NotFound, $"port {port} serves {path}");
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

    /// <summary>
    /// Every probe the manifest gives the container answers 200 on the port it names (by name, mapped through
    /// <paramref name="ports"/> to where the test started the process), as the kubelet asks it.
    /// </summary>
    private static async Task ProbesAnswerAsync(ServerProcess process, YamlDotNet.RepresentationModel.YamlMappingNode container, IReadOnlyDictionary<string, int> ports)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        foreach (var probe in new[] { "startupProbe", "livenessProbe", "readinessProbe" })
        {
            var path = KubernetesManifests.Text(container, probe, "httpGet", "path");
            var port = ports[KubernetesManifests.Text(container, probe, "httpGet", "port")!];
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

    private static async Task<(HttpStatusCode Status, string Body)> GetAsync(string url)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        using var response = await http.GetAsync(url);
        return (response.StatusCode, await response.Content.ReadAsStringAsync());
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
