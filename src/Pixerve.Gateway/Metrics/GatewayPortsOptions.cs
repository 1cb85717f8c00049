using System.ComponentModel.DataAnnotations;

namespace Pixerve.Gateway.Metrics;

/// <summary>
/// Bound from <c>Pixerve:Gateway</c>: ports of their own for <c>/metrics</c> and for the orchestrator probes
/// (<c>/health/live</c>, <c>/health/ready</c>), so that the API's port serves neither and a network policy can open
/// each to its own audience. 0 (the default): served on every port, as before. A port named here must also be one the
/// gateway listens on (<c>Urls</c>, e.g. <c>http://+:8080;http://+:8081;http://+:9464</c>); it then serves only its
/// own paths and answers anything else 404.
/// </summary>
public sealed class GatewayPortsOptions
{
    public const string Section = "Pixerve:Gateway";

    /// <summary>The only port that serves <c>/metrics</c>; 0: every port does.</summary>
    [Range(0, 65535)]
    public int MetricsPort { get; set; }

    /// <summary>The only port that serves <c>/health/live</c> and <c>/health/ready</c>; 0: every port does.</summary>
    [Range(0, 65535)]
    public int ProbePort { get; set; }

    /// <summary>
    /// Whether a request to <paramref name="path"/> arriving on <paramref name="localPort"/> is served: on a metrics
    /// or probe port only those paths are; elsewhere everything but the paths that have a port of their own.
    /// </summary>
    public bool Serves(int localPort, PathString path)
    {
        var metrics = path.StartsWithSegments(GatewayMetrics.ScrapePath);
        var probe = ProbePaths.Any(p => path.StartsWithSegments(p));
        var onMetricsPort = MetricsPort > 0 && localPort == MetricsPort;
        var onProbePort = ProbePort > 0 && localPort == ProbePort;
        if (onMetricsPort || onProbePort) return (onMetricsPort && metrics) || (onProbePort && probe);
        return !(metrics && MetricsPort > 0) && !(probe && ProbePort > 0);
    }

    /// <summary>The probes' paths (<see cref="Apis.ProbesApi"/>).</summary>
    public static IReadOnlyList<PathString> ProbePaths { get; } = [Apis.ProbesApi.LivePath, Apis.ProbesApi.ReadyPath];
}
