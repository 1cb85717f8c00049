using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Configuration;
using Orleans.Connections.Security;

namespace Pixerve.ServiceDefaults;

/// <summary>
/// TLS between the cluster's processes (<see cref="ClusterTlsOptions"/>), the same on both sides: each presents its
/// certificate and requires one from the other end, checked by pinned thumbprint, or by a chain to the cluster's own
/// CA plus an allowed name. Chain-valid alone never admits.
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
        var trust = Trust.From(settings);
        options.RemoteCertificateValidation = (remote, _, _) => Accepts(remote, trust);
    }

    /// <summary>What a remote certificate is held to: pinned thumbprints, or the cluster's CA and allowed names.</summary>
    public sealed record Trust(IReadOnlySet<string> Pinned, X509Certificate2Collection Roots, IReadOnlySet<string> Subjects)
    {
        public static Trust From(ClusterTlsOptions settings)
        {
            var pinned = settings.AllowedRemoteThumbprints
                .Select(t => t.Replace(" ", "", StringComparison.Ordinal).Replace(":", "", StringComparison.Ordinal).ToUpperInvariant())
                .Where(t => t.Length > 0).ToHashSet();
            var roots = new X509Certificate2Collection();
            if (settings.CaCertificatePath is { Length: > 0 } ca) roots.ImportFromPemFile(ca);
            return new Trust(pinned, roots, settings.AllowedSubjects.Where(s => s.Length > 0).ToHashSet(StringComparer.OrdinalIgnoreCase));
        }
    }

    /// <summary>
    /// A pinned thumbprint accepts its certificate whatever its chain. Without pins, the certificate must chain to one
    /// of the configured roots only (the machine's store is not consulted) and carry an allowed name as its subject CN
    /// or a DNS name. The host name is never checked: silos are reached by the address they advertise, not by a name.
    /// </summary>
    public static bool Accepts(X509Certificate2? remote, Trust trust)
    {
        if (remote is null) return false;
        if (trust.Pinned.Count > 0)
            return trust.Pinned.Contains(remote.Thumbprint.ToUpperInvariant()) ||
                   trust.Pinned.Contains(remote.GetCertHashString(HashAlgorithmName.SHA256).ToUpperInvariant());
        if (trust.Roots.Count == 0 || trust.Subjects.Count == 0) return false;

        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.AddRange(trust.Roots);
        // A private cluster CA publishes no revocation list; a leaked certificate is answered by replacing the CA.
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        if (!chain.Build(remote)) return false;
        var names = new List<string> { remote.GetNameInfo(X509NameType.SimpleName, forIssuer: false) };
        names.AddRange(remote.Extensions.OfType<X509SubjectAlternativeNameExtension>().SelectMany(san => san.EnumerateDnsNames()));
        return names.Any(trust.Subjects.Contains);
    }
}
