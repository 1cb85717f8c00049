using System.Security.Cryptography;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Pixerve.Cluster.Postgres;
using Pixerve.Grains.Credentials;
using Pixerve.Testing;
using Pixerve.Testing.Fixtures;

namespace Pixerve.Grains.Tests;

/// <summary>
/// With <c>Pixerve:Cluster:Provider = postgres</c> the Data Protection key ring is a PostgreSQL table, still encrypted
/// at rest by the <c>Pixerve:DataProtection</c> certificate: the rows are ciphertext, a host with the certificate reads
/// a credential back, one without cannot; no blob container is used for it.
/// </summary>
public sealed class PostgresKeyRingTests : IAsyncLifetime
{
    private PostgresServer _postgres = null!;
    private string _database = "";

    public async Task InitializeAsync()
    {
        _postgres = await PostgresServer.StartAsync();
        _database = await _postgres.CreateDatabaseAsync();
        await using var dataSource = NpgsqlDataSource.Create(_database);
        await PostgresSchema.EnsureAsync(dataSource);
    }

    public async Task DisposeAsync() => await _postgres.DisposeAsync();

    [Fact]
    public async Task Keys_are_rows_encrypted_by_the_certificate_and_a_host_with_it_reads_a_credential_back()
    {
        using var certificate = TestCertificate.Create("pixerve-key-ring-postgres");
        var secrets = new Dictionary<string, string> { ["secret_access_key"] = "postgres-key-ring-secret" };

        string payload;
        using (var first = SiloServices(certificate))
            payload = first.GetRequiredService<CredentialProtector>().Protect(secrets);

        var keys = await PostgresServer.QueryAsync<string>(_database, $"SELECT xml FROM {PostgresSchema.KeyRingTable}");
        Assert.NotEmpty(keys);
        Assert.All(keys, key =>
        {
            Assert.Contains("<encryptedSecret", key);
            Assert.Contains("EncryptedData", key);
            Assert.DoesNotContain("<masterKey", key);
        });

        using (var second = SiloServices(certificate))
            Assert.Equal(secrets, second.GetRequiredService<CredentialProtector>().Unprotect(payload));

        using var stranger = SiloServices(null);
        Assert.ThrowsAny<CryptographicException>(() => stranger.GetRequiredService<CredentialProtector>().Unprotect(payload));
    }

    private ServiceProvider SiloServices(TestCertificate? certificate)
    {
        var settings = new Dictionary<string, string?>
        {
            ["Pixerve:Cluster:Provider"] = "postgres",
            [PostgresClusterOptions.ConnectionStringKey] = _database,
            // Nothing listens here: the key ring must not touch blob storage.
            ["Pixerve:Storage:ConnectionString"] = $"DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=AAAA;BlobEndpoint=http://127.0.0.1:{ServerProcess.FreePort()}/devstoreaccount1;",
        };
        if (certificate is not null)
        {
            settings[$"{KeyRingOptions.Section}:CertificatePath"] = certificate.Path;
            settings[$"{KeyRingOptions.Section}:CertificatePassword"] = certificate.Password;
        }

        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        return new ServiceCollection().AddLogging().AddPixerveGrainServices(configuration).AddPostgresKeyRing(configuration).BuildServiceProvider();
    }
}
