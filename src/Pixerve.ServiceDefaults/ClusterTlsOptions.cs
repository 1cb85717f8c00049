using System.ComponentModel.DataAnnotations;

namespace Pixerve;

/// <summary>
/// Bound from <c>Pixerve:Cluster:Tls</c> by silos and gateways: TLS on silo-to-silo and gateway-to-silo links, each
/// side presenting this certificate (mutual TLS), so only holders of it join or reach the cluster.
/// </summary>
public sealed class ClusterTlsOptions : CertificateSettings
{
    public const string Section = "Pixerve:Cluster:Tls";

    public bool Enabled { get; set; }

    /// <summary>
    /// Thumbprints (SHA-1 or SHA-256, hex) of the certificates a remote end may present whatever their chain: a
    /// self-signed or private-CA certificate pinned. Empty: the remote certificate must chain to a trusted root.
    /// </summary>
    public List<string> AllowedRemoteThumbprints { get; set; } = [];

    /// <summary>How long a TLS handshake may take before the connection is dropped.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "00:10:00")]
    public TimeSpan HandshakeTimeout { get; set; } = TimeSpan.FromSeconds(10);

    public override IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        foreach (var result in base.Validate(validationContext)) yield return result;
        if (Enabled && !HasCertificate)
            yield return new ValidationResult("TLS is enabled: name a certificate (CertificatePath, Thumbprint or Subject)", [nameof(Enabled)]);
    }
}
