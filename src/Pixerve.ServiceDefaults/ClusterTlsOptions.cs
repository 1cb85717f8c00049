using System.ComponentModel.DataAnnotations;

namespace Pixerve.ServiceDefaults;

/// <summary>
/// Bound from <c>Pixerve:Cluster:Tls</c> by silos and gateways: TLS on silo-to-silo and gateway-to-silo links, each
/// side presenting this certificate (mutual TLS), so only holders of it join or reach the cluster.
/// </summary>
public sealed class ClusterTlsOptions : CertificateOptions
{
    public const string Section = "Pixerve:Cluster:Tls";

    public bool Enabled { get; set; }

    /// <summary>
    /// Thumbprints (SHA-1 or SHA-256, hex) of the certificates a remote end may present whatever their chain: a
    /// self-signed or private-CA certificate pinned. Empty: the remote certificate must chain to
    /// <see cref="CaCertificatePath"/> and name one of <see cref="AllowedSubjects"/>.
    /// </summary>
    public List<string> AllowedRemoteThumbprints { get; set; } = [];

    /// <summary>
    /// PEM file of the CA certificate(s) the cluster's certificates are issued by: the only roots trusted for a remote
    /// end without pins (the machine's public roots never are, so a certificate bought from any public CA is refused).
    /// </summary>
    public string? CaCertificatePath { get; set; }

    /// <summary>Names a remote certificate must carry without pins: its subject CN or one of its DNS names.</summary>
    public List<string> AllowedSubjects { get; set; } = [];

    /// <summary>Lets a <c>kubernetes</c>-mode silo start without TLS, which it otherwise refuses (its ports face the pod network).</summary>
    public bool AllowInsecure { get; set; }

    /// <summary>How long a TLS handshake may take before the connection is dropped.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "00:10:00")]
    public TimeSpan HandshakeTimeout { get; set; } = TimeSpan.FromSeconds(10);

    public override IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        foreach (var result in base.Validate(validationContext)) yield return result;
        if (Enabled && !HasCertificate)
            yield return new ValidationResult("TLS is enabled: name a certificate (CertificatePath, Thumbprint or Subject)", [nameof(Enabled)]);
        if (Enabled && AllowedRemoteThumbprints.All(string.IsNullOrWhiteSpace) &&
            (string.IsNullOrWhiteSpace(CaCertificatePath) || AllowedSubjects.All(string.IsNullOrWhiteSpace)))
            yield return new ValidationResult(
                "TLS without AllowedRemoteThumbprints needs CaCertificatePath and AllowedSubjects: a certificate that merely chains to a public CA must not join the cluster",
                [nameof(CaCertificatePath), nameof(AllowedSubjects)]);
        if (CaCertificatePath is { Length: > 0 } ca && !File.Exists(ca))
            yield return new ValidationResult($"no file at '{ca}'", [nameof(CaCertificatePath)]);
    }
}
