using System.Net;
using System.Text;
using Orleans.Serialization;
using Pixerve.GrainInterfaces.Credentials;
using Pixerve.Testing.Fixtures;

namespace Pixerve.Grains.Tests;

/// <summary>Storage secrets leave the credential store encrypted; the silo that writes with them decrypts them.</summary>
[Collection(PixerveCollection.Name)]
public sealed class CredentialTransitTests(PixerveFixture fixture)
{
    private const string Password = "sftp-password-that-must-never-leave-9b1e";

    private async Task<string> AddCredentialAsync()
    {
        var key = $"bare-{Guid.NewGuid():N}"[..16];
        var credential = new { key, type = "sftp", data = new { host = "127.0.0.1", port = 1, username = "u", password = Password, accept_any_host_key = true } };
        using var created = await fixture.Http.SendAsync(fixture.Admin(HttpMethod.Post, "/admin/credentials", credential));
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        return key;
    }

    [Fact]
    public async Task Between_silos_a_credential_travels_encrypted_and_is_decrypted_where_it_is_used()
    {
        var key = await AddCredentialAsync();
        // Asked as a storage grain asks, from inside the silo: the answer still holds no secret in the clear.
        var resolved = await fixture.SiloService<IGrainFactory>().GetGrain<ICredentialStoreGrain>(0).Resolve(key);
        Assert.NotNull(resolved);
        var wire = fixture.SiloService<Serializer>().SerializeToArray(resolved);
        Assert.DoesNotContain(Password, Encoding.UTF8.GetString(wire));
        Assert.DoesNotContain(Password, resolved.ProtectedSecrets);
        Assert.DoesNotContain(resolved.Settings.Values, v => v.Contains(Password, StringComparison.Ordinal));

        // That it still decrypts where it is used is what every SFTP, S3 and GCS case of StorageBackendTests shows:
        // their probes and stores authenticate with the secrets decrypted on the storage grain's silo.
    }
}
