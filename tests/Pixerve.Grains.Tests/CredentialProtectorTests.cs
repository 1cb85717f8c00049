using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Pixerve.Grains.Credentials;
using Pixerve.ServiceDefaults;
using Pixerve.Testing.Fixtures;

namespace Pixerve.Grains.Tests;

[Collection(PixerveCollection.Name)]
public sealed class CredentialProtectorTests(PixerveFixture fixture)
{
    /// <summary>Two silos are two containers: what one encrypts the other must decrypt, through the key ring in blob storage.</summary>
    [Fact]
    public void A_secret_encrypted_by_one_silo_is_decrypted_by_another_through_the_shared_key_ring()
    {
        using var first = SiloServices();
        using var second = SiloServices();
        var secrets = new Dictionary<string, string> { ["secret_access_key"] = "shared-ring-secret" };

        var payload = first.GetRequiredService<CredentialProtector>().Protect(secrets);

        Assert.DoesNotContain("shared-ring-secret", payload);
        Assert.Equal(secrets, second.GetRequiredService<CredentialProtector>().Unprotect(payload));
    }

    private ServiceProvider SiloServices()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            [PixerveConfiguration.StorageConnectionStringKey] = fixture.StorageConnectionString,
        }).Build();
        return new ServiceCollection().AddLogging().AddPixerveGrainServices(configuration).BuildServiceProvider();
    }
}
