using System.ComponentModel.DataAnnotations;

namespace Pixerve.Silo;

/// <summary>Bound from <c>Pixerve:Metrics</c>: the silo's own Prometheus scrape endpoint, off unless a port is set.</summary>
public sealed class MetricsOptions
{
    public const string Section = "Pixerve:Metrics";

    [Range(0, 65535)]
    public int Port { get; set; }

    /// <summary><c>localhost</c> by default; <c>*</c> for every interface.</summary>
    [Required(AllowEmptyStrings = false)]
    public string Host { get; set; } = "localhost";
}
