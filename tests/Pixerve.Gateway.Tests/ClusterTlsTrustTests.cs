using System.ComponentModel.DataAnnotations;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using Pixerve.ServiceDefaults;
using Pixerve.Silo.Hosting;

namespace Pixerve.Gateway.Tests;

/// <summary>
/// Who joins the cluster over TLS without pinned thumbprints: a certificate of the cluster's own CA carrying an
/// allowed name. A valid chain to any other CA, a self-signed look-alike or another name is refused; and a silo in
/// kubernetes mode does not start without TLS unless told to.
/// </summary>
public sealed class ClusterTlsTrustTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("pixerve-ca-").FullName;
    private readonly X509Certificate2 _clusterCa = Authority("Pixerve cluster CA");
    private readonly X509Certificate2 _otherCa = Authority("Some public CA");

    public void Dispose()
    {
        _clusterCa.Dispose();
        _otherCa.Dispose();
        Directory.Delete(_directory, recursive: true);
    }

    private static X509Certificate2 Authority(string name)
    {
        using var key = RSA.Create(2048);
        var request = new CertificateRequest($"CN={name}", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        return request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddYears(1));
    }

    private static X509Certificate2 Leaf(string commonName, X509Certificate2? issuer, string? dnsName = null)
    {
        using var key = RSA.Create(2048);
        var request = new CertificateRequest($"CN={commonName}", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, false));
        if (dnsName is not null)
        {
            var san = new SubjectAlternativeNameBuilder();
            san.AddDnsName(dnsName);
            request.CertificateExtensions.Add(san.Build());
        }

        if (issuer is null) return request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(30));
        var serial = RandomNumberGenerator.GetBytes(12);
        using var signed = request.Create(issuer, DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(30), serial);
        return signed.CopyWithPrivateKey(key);
    }

    private ClusterTls.Trust TrustOf(params string[] subjects)
    {
        var path = Path.Combine(_directory, "ca.crt");
        File.WriteAllText(path, _clusterCa.ExportCertificatePem());
        return ClusterTls.Trust.From(new ClusterTlsOptions { CaCertificatePath = path, AllowedSubjects = [.. subjects] });
    }

    [Fact]
    public void A_certificate_of_the_cluster_ca_with_an_allowed_name_is_accepted()
    {
        var trust = TrustOf("pixerve-cluster");
        using var byCommonName = Leaf("pixerve-cluster", _clusterCa);
        using var byDnsName = Leaf("silo-7", _clusterCa, dnsName: "pixerve-cluster");
        Assert.True(ClusterTls.Accepts(byCommonName, trust));
        Assert.True(ClusterTls.Accepts(byDnsName, trust));
    }

    [Fact]
    public void A_valid_chain_to_another_ca_a_self_signed_look_alike_or_another_name_is_refused()
    {
        var trust = TrustOf("pixerve-cluster");
        using var otherCa = Leaf("pixerve-cluster", _otherCa);
        using var selfSigned = Leaf("pixerve-cluster", issuer: null);
        using var otherName = Leaf("intruder", _clusterCa, dnsName: "intruder.example");
        Assert.False(ClusterTls.Accepts(otherCa, trust));
        Assert.False(ClusterTls.Accepts(selfSigned, trust));
        Assert.False(ClusterTls.Accepts(otherName, trust));
        Assert.False(ClusterTls.Accepts(null, trust));
        // A CA alone, or names alone, admit nothing.
        using var good = Leaf("pixerve-cluster", _clusterCa);
        Assert.False(ClusterTls.Accepts(good, trust with { Subjects = new HashSet<string>() }));
        Assert.False(ClusterTls.Accepts(good, trust with { Roots = [] }));
    }

    [Fact]
    public void Tls_without_pins_must_name_the_ca_and_the_allowed_subjects()
    {
        var settings = new ClusterTlsOptions { Enabled = true, CertificatePath = "/etc/pixerve/tls/cluster.pfx" };
        var errors = settings.Validate(new ValidationContext(settings)).SelectMany(r => r.MemberNames).ToList();
        Assert.Contains(nameof(ClusterTlsOptions.CaCertificatePath), errors);
        Assert.Contains(nameof(ClusterTlsOptions.AllowedSubjects), errors);

        settings.AllowedRemoteThumbprints = ["AB12"];
        Assert.DoesNotContain(nameof(ClusterTlsOptions.CaCertificatePath),
            settings.Validate(new ValidationContext(settings)).SelectMany(r => r.MemberNames));
    }

    [Theory]
    [InlineData("kubernetes", null, true)]
    [InlineData("kubernetes", "false", true)]
    [InlineData("kubernetes", "true", false)]
    [InlineData("azure", null, false)]
    public void A_kubernetes_silo_without_tls_refuses_to_start_naming_the_key(string mode, string? allowInsecure, bool refused)
    {
        var settings = new Dictionary<string, string?> { ["Pixerve:Cluster:Mode"] = mode };
        if (allowInsecure is not null) settings["Pixerve:Cluster:Tls:AllowInsecure"] = allowInsecure;
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        var builder = Host.CreateApplicationBuilder();
        var error = Record.Exception(() => builder.UseOrleans(silo => silo.UsePixerveTls(configuration)));
        if (!refused)
        {
            Assert.Null(error);
            return;
        }

        Assert.IsType<InvalidOperationException>(error);
        Assert.Contains("Pixerve:Cluster:Tls:Enabled", error.Message);
        Assert.Contains("Pixerve:Cluster:Tls:AllowInsecure=true", error.Message);
    }
}
