using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Pixerve.Testing.Fixtures;

/// <summary>Self-signed certificates made by the test, written to a temporary PFX file as an operator would configure one.</summary>
public sealed class TestCertificate : IDisposable
{
    private readonly string _directory;

    private TestCertificate(string directory, string path, string password, string thumbprint)
    {
        _directory = directory;
        Path = path;
        Password = password;
        Thumbprint = thumbprint;
    }

    public string Path { get; }
    public string Password { get; }
    public string Thumbprint { get; }

    /// <summary>An RSA certificate for TLS server and client authentication and for key encipherment.</summary>
    public static TestCertificate Create(string commonName)
    {
        using var key = RSA.Create(2048);
        var request = new CertificateRequest($"CN={commonName}", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        request.CertificateExtensions.Add(new X509KeyUsageExtension(
            X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.KeyEncipherment | X509KeyUsageFlags.DataEncipherment, critical: false));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension(
            [new Oid("1.3.6.1.5.5.7.3.1"), new Oid("1.3.6.1.5.5.7.3.2")], critical: false));
        var san = new SubjectAlternativeNameBuilder();
        san.AddDnsName("localhost");
        san.AddIpAddress(System.Net.IPAddress.Loopback);
        request.CertificateExtensions.Add(san.Build());
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(1));
        var password = Convert.ToHexString(RandomNumberGenerator.GetBytes(12));
        var directory = Directory.CreateTempSubdirectory("pixerve-cert-").FullName;
        var path = System.IO.Path.Combine(directory, $"{commonName}.pfx");
        File.WriteAllBytes(path, certificate.Export(X509ContentType.Pfx, password));
        return new TestCertificate(directory, path, password, certificate.Thumbprint);
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);
}
