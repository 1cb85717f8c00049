using System.Security.Cryptography;
using Azure.Storage.Blobs;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Pixerve.Grains.Credentials;
using Pixerve.ServiceDefaults;
using Pixerve.Testing;
using Pixerve.Testing.Fixtures;

namespace Pixerve.Grains.Tests;

/// <summary>
/// The Data Protection key ring (which decrypts stored storage credentials) encrypted at rest with a certificate:
/// the keys in blob storage are ciphertext, and only a host holding the certificate decrypts a credential.
/// Each test has an Azurite of its own, so its key ring holds only the keys it makes.
/// </summary>
public sealed class KeyRingProtectionTests
{
    [Fact]
    public async Task Keys_are_stored_encrypted_and_a_host_with_the_same_certificate_reads_a_credential_back()
    {
        await using var azurite = await AzuriteServer.StartAsync();
        using var certificate = TestCertificate.Create("pixerve-key-ring");
        var secrets = new Dictionary<string, string> { ["secret_access_key"] = "key-ring-protected-secret" };

        string payload;
        using (var first = SiloServices(azurite, certificate))
            payload = first.GetRequiredService<CredentialProtector>().Protect(secrets);

        var keys = await KeyBlobsAsync(azurite);
        Assert.NotEmpty(keys);
        Assert.All(keys, key =>
        {
            Assert.Contains("<encryptedSecret", key);
            Assert.Contains("EncryptedData", key);
            Assert.DoesNotContain("unencrypted form", key);
            Assert.DoesNotContain("<masterKey", key);
        });

        // Another host, the certificate loaded afresh from the same file: it decrypts the ring, then the credential.
        using (var second = SiloServices(azurite, certificate))
            Assert.Equal(secrets, second.GetRequiredService<CredentialProtector>().Unprotect(payload));

        // A host without the certificate reads the same blobs and cannot.
        using var stranger = SiloServices(azurite, null);
        Assert.ThrowsAny<CryptographicException>(() => stranger.GetRequiredService<CredentialProtector>().Unprotect(payload));
    }

    [Fact]
    public async Task Without_a_certificate_the_keys_are_stored_as_they_were_in_the_clear()
    {
        await using var azurite = await AzuriteServer.StartAsync();
        using (var host = SiloServices(azurite, null))
            host.GetRequiredService<CredentialProtector>().Protect(new Dictionary<string, string> { ["password"] = "x" });

        var keys = await KeyBlobsAsync(azurite);
        Assert.NotEmpty(keys);
        Assert.All(keys, key => Assert.DoesNotContain("<encryptedSecret", key));
    }

    private static ServiceProvider SiloServices(AzuriteServer azurite, TestCertificate? certificate)
    {
        var settings = new Dictionary<string, string?> { [PixerveConfiguration.StorageConnectionStringKey] = azurite.ConnectionString };
        if (certificate is not null)
        {
            settings[$"{KeyRingOptions.Section}:CertificatePath"] = certificate.Path;
            settings[$"{KeyRingOptions.Section}:CertificatePassword"] = certificate.Password;
        }

        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        return new ServiceCollection().AddLogging().AddPixerveGrainServices(configuration).BuildServiceProvider();
    }

    private static async Task<List<string>> KeyBlobsAsync(AzuriteServer azurite)
    {
        var container = new BlobServiceClient(azurite.ConnectionString).GetBlobContainerClient(Pixerve.Staging.AzureBlob.AzureBlobStagingStore.KeyContainer);
        var keys = new List<string>();
        await foreach (var blob in container.GetBlobsAsync())
            keys.Add((await container.GetBlobClient(blob.Name).DownloadContentAsync()).Value.Content.ToString());
        return keys;
    }
}
