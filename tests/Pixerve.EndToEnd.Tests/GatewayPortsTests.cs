using Microsoft.AspNetCore.Http;
using Pixerve.Gateway.Metrics;

namespace Pixerve.EndToEnd.Tests;

/// <summary>
/// <c>Pixerve:Gateway:MetricsPort</c> and <c>…:ProbePort</c> (what deploy/kubernetes sets): each such port serves
/// only its own paths, and the other ports serve everything but those. ContainerEntrypointTests checks the same on
/// the published gateway's real listeners.
/// </summary>
public sealed class GatewayPortsTests
{
    private const int Api = 8080, Probes = 8081, Metrics = 9464;

    [Theory]
    [InlineData(Api, "/upload", true)]
    [InlineData(Api, "/health", true)]
    [InlineData(Api, "/health/live", false)]
    [InlineData(Api, "/health/ready", false)]
    [InlineData(Api, "/HEALTH/Ready/", false)]
    [InlineData(Api, "/metrics", false)]
    [InlineData(Probes, "/health/live", true)]
    [InlineData(Probes, "/health/ready", true)]
    [InlineData(Probes, "/health", false)]
    [InlineData(Probes, "/metrics", false)]
    [InlineData(Probes, "/upload", false)]
    [InlineData(Metrics, "/metrics", true)]
    [InlineData(Metrics, "/health/live", false)]
    [InlineData(Metrics, "/files/x/y.jpg", false)]
    public void Each_port_serves_only_its_own_paths(int port, string path, bool served)
    {
        var options = new GatewayPortsOptions { MetricsPort = Metrics, ProbePort = Probes };
        Assert.Equal(served, options.Serves(port, new PathString(path)));
    }

    [Theory]
    [InlineData("/metrics")]
    [InlineData("/health/live")]
    [InlineData("/upload")]
    public void Without_ports_of_their_own_every_port_serves_everything(string path) =>
        Assert.True(new GatewayPortsOptions().Serves(Api, new PathString(path)));

    [Fact]
    public void One_port_for_both_serves_metrics_and_probes_there_and_neither_elsewhere()
    {
        var options = new GatewayPortsOptions { MetricsPort = Probes, ProbePort = Probes };
        Assert.True(options.Serves(Probes, "/metrics"));
        Assert.True(options.Serves(Probes, "/health/live"));
        Assert.False(options.Serves(Probes, "/upload"));
        Assert.False(options.Serves(Api, "/metrics"));
        Assert.False(options.Serves(Api, "/health/ready"));
    }
}
