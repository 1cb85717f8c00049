using System.ComponentModel.DataAnnotations;

namespace Pixerve.Silo;

/// <summary>
/// Bound from <c>Pixerve:Metrics</c>: the silo's own HTTP port, serving the Prometheus scrape endpoint
/// (<c>/metrics</c>) and the orchestrator probes (<c>/health/live</c>, <c>/health/ready</c>); off unless a port is set.
/// </summary>
public sealed class MetricsOptions
{
    public const string Section = "Pixerve:Metrics";

    [Range(0, 65535)]
    public int Port { get; set; }

    /// <summary><c>localhost</c> by default; <c>*</c> for every interface.</summary>
    [Required(AllowEmptyStrings = false)]
    public string Host { get; set; } = "localhost";

    /// <summary>
    /// The HttpListener prefixes that serve <paramref name="path"/> (which starts and ends with <c>/</c>). HttpListener
    /// matches the request's host name, so <c>localhost</c> also listens as 127.0.0.1 (else http://127.0.0.1:… is a 404).
    /// </summary>
    public IReadOnlyList<string> ListenerPrefixes(string path) => Host == "localhost"
        ? [$"http://localhost:{Port}{path}", $"http://127.0.0.1:{Port}{path}"]
        : [$"http://{Host}:{Port}{path}"];
}
