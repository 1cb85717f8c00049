using System.ComponentModel.DataAnnotations;
using System.Security.Cryptography.X509Certificates;

namespace Pixerve.ServiceDefaults;

/// <summary>
/// Where a process finds a certificate with its private key: a PKCS#12 file (<see cref="CertificatePath"/> and
/// <see cref="CertificatePassword"/>) or a certificate store (<see cref="StoreName"/>/<see cref="StoreLocation"/>,
/// by <see cref="Thumbprint"/> or <see cref="Subject"/>).
/// </summary>
public abstract class CertificateOptions : IValidatableObject
{
    /// <summary>A PFX/PKCS#12 file holding the certificate and its private key.</summary>
    public string? CertificatePath { get; set; }

    public string? CertificatePassword { get; set; }

    public StoreName StoreName { get; set; } = StoreName.My;

    public StoreLocation StoreLocation { get; set; } = StoreLocation.CurrentUser;

    /// <summary>The store certificate's subject (<c>CN=…</c>, or the common name alone).</summary>
    public string? Subject { get; set; }

    /// <summary>The store certificate's SHA-1 thumbprint (hex).</summary>
    public string? Thumbprint { get; set; }

    /// <summary>True when a file or a store certificate is named.</summary>
    public bool HasCertificate =>
        !string.IsNullOrWhiteSpace(CertificatePath) || !string.IsNullOrWhiteSpace(Thumbprint) || !string.IsNullOrWhiteSpace(Subject);

    public virtual IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (!string.IsNullOrWhiteSpace(CertificatePath) && (!string.IsNullOrWhiteSpace(Thumbprint) || !string.IsNullOrWhiteSpace(Subject)))
            yield return new ValidationResult("name a certificate file or a store certificate, not both", [nameof(CertificatePath)]);
        if (!string.IsNullOrWhiteSpace(CertificatePath) && !File.Exists(CertificatePath))
            yield return new ValidationResult($"no file at {CertificatePath}", [nameof(CertificatePath)]);
    }

    /// <summary>The certificate, with its private key; throws naming <paramref name="section"/> when it cannot be had.</summary>
    public X509Certificate2 Load(string section)
    {
        if (!string.IsNullOrWhiteSpace(CertificatePath))
        {
            var certificate = X509CertificateLoader.LoadPkcs12FromFile(CertificatePath, CertificatePassword);
            return certificate.HasPrivateKey
                ? certificate
                : throw new InvalidOperationException($"{section}:CertificatePath: {CertificatePath} holds no private key");
        }

        using var store = new X509Store(StoreName, StoreLocation);
        store.Open(OpenFlags.ReadOnly | OpenFlags.OpenExistingOnly);
        var found = !string.IsNullOrWhiteSpace(Thumbprint)
            ? store.Certificates.Find(X509FindType.FindByThumbprint, Thumbprint.Replace(" ", "", StringComparison.Ordinal), validOnly: false)
            : store.Certificates.Find(X509FindType.FindBySubjectDistinguishedName, Subject!, validOnly: false) is { Count: > 0 } byName
                ? byName
                : store.Certificates.Find(X509FindType.FindBySubjectName, Subject!, validOnly: false);
        // The newest of several (a renewed certificate beside the one it replaces).
        return found.Where(c => c.HasPrivateKey).OrderByDescending(c => c.NotAfter).FirstOrDefault()
               ?? throw new InvalidOperationException(
                   $"{section}: no certificate with a private key for {(string.IsNullOrWhiteSpace(Thumbprint) ? $"subject '{Subject}'" : $"thumbprint {Thumbprint}")} in {StoreLocation}/{StoreName}");
    }
}
