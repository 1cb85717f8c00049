using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Configuration;
using Orleans.Connections.Security;

namespace Pixerve;

/// <summary>
/// TLS between the cluster's processes (<see cref="ClusterTlsOptions"/>), the same on both sides: each presents its
/// certificate and requires one from the other end, checked by pinned thumbprint or by chain.
/// </summary>
public static class ClusterTls
{
    /// <summary>The settings and certificate when TLS is enabled, else null.</summary>
    public static (ClusterTlsOptions Settings, X509Certificate2 Certificate)? Configured(IConfiguration configuration)
    {
        var settings = configuration.GetValidated<ClusterTlsOptions>(ClusterTlsOptions.Section);
        return settings.Enabled ? (settings, settings.Load(ClusterTlsOptions.Section)) : null;
    }

    public static void Configure(TlsOptions options, ClusterTlsOptions settings, X509Certificate2 certificate)
    {
        options.LocalCertificate = certificate;
        options.RemoteCertificateMode = RemoteCertificateMode.RequireCertificate;
        options.ClientCertificateMode = RemoteCertificateMode.RequireCertificate;
        options.HandshakeTimeout = settings.HandshakeTimeout;
        var pinned = settings.AllowedRemoteThumbprints
            .Select(t => t.Replace(" ", "", StringComparison.Ordinal).Replace(":", "", StringComparison.Ordinal).ToUpperInvariant())
            .Where(t => t.Length > 0).ToHashSet();
        options.RemoteCertificateValidation = (remote, _, errors) => Accepts(remote, errors, pinned);
    }

    /// <summary>
    /// A pinned thumbprint accepts its certificate whatever its chain; without pins the chain must validate. The
    /// host name is never checked: silos are reached by the address they advertise, not by a name.
    /// </summary>
    public static bool Accepts(X509Certificate2? remote, SslPolicyErrors errors, IReadOnlySet<string> pinned)
    {
        if (remote is null) return false;
        if (pinned.Count > 0)
            return pinned.Contains(remote.Thumbprint.ToUpperInvariant()) ||
                   pinned.Contains(remote.GetCertHashString(HashAlgorithmName.SHA256).ToUpperInvariant());
        return (errors & ~SslPolicyErrors.RemoteCertificateNameMismatch) == SslPolicyErrors.None;
    }
}
