using System.ComponentModel.DataAnnotations;

namespace Pixerve.Silo.Metrics;

/// <summary>
/// Bound from <c>Pixerve:Metrics</c>: the silo's own HTTP port, serving the Prometheus scrape endpoint
/// (<c>/metrics</c>) and the orchestrator probes (<c>/health/live</c>, <c>/health/ready</c>); off unless a port is set.
/// With <see cref="ProbePort"/> the probes move to a port of their own, so a network policy can open the metrics to
/// the monitoring system without opening anything else.
/// </summary>
public sealed class MetricsOptions
{
    public const string Section = "Pixerve:Metrics";

    [Range(0, 65535)]
    public int Port { get; set; }

    /// <summary>The probes' own port (which then serves nothing else); 0: beside <c>/metrics</c> on <see cref="Port"/>.</summary>
    [Range(0, 65535)]
    public int ProbePort { get; set; }

    /// <summary>Where the probes listen: <see cref="ProbePort"/> when set, else <see cref="Port"/> (0: no probes).</summary>
    public int EffectiveProbePort => ProbePort > 0 ? ProbePort : Port;

    /// <summary><c>localhost</c> by default; <c>*</c> for every interface.</summary>
    [Required(AllowEmptyStrings = false)]
    public string Host { get; set; } = "localhost";

    /// <summary>
    /// The HttpListener prefixes that serve <paramref name="path"/> (which starts and ends with <c>/</c>). HttpListener
    /// matches the request's host name, so <c>localhost</c> also listens as 127.0.0.1 (else http://127.0.0.1:… is a 404).
    /// </summary>
    public IReadOnlyList<string> ListenerPrefixes(string path) => ListenerPrefixes(Port, path);

    /// <summary>As <see cref="ListenerPrefixes(string)"/>, on <paramref name="port"/>.</summary>
    public IReadOnlyList<string> ListenerPrefixes(int port, string path) => Host == "localhost"
        ? [$"http://localhost:{port}{path}", $"http://127.0.0.1:{port}{path}"]
        : [$"http://{Host}:{port}{path}"];
}
