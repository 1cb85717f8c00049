using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Pixerve.Storage.Filesystem;
using Pixerve.Storage.Gcs;
using Pixerve.Storage.S3;
using Pixerve.Storage.Sftp;

namespace Pixerve.Storage.Tests;

/// <summary>Each backend is one project and one registration line, with its options bound from its own section.</summary>
public sealed class BackendRegistrationTests
{
    [Fact]
    public async Task Each_registered_backend_opens_its_own_credentials()
    {
        await using var services = Services(s => s.AddS3Storage().AddGcsStorage().AddSftpStorage());
        var stores = services.GetRequiredService<StorageProviderRegistry>();

        await using (var s3 = stores.Open(Credential("s3", ("bucket", "b"), ("access_key_id", "a"), ("secret_access_key", "s"))))
            Assert.IsType<S3ObjectStore>(s3);
        await using (var sftp = stores.Open(Credential("sftp", ("host", "127.0.0.1"), ("username", "u"), ("password", "p"), ("accept_any_host_key", "true"))))
            Assert.IsType<SftpObjectStore>(sftp);
        await using (var direct = stores.Open(Credential("direct", ("path", Path.GetTempPath()))))
            Assert.IsType<LocalDirectoryStore>(direct);
    }

    [Fact]
    public async Task A_backend_left_out_is_refused_by_name()
    {
        await using var services = Services(s => s.AddS3Storage());
        var error = Assert.Throws<NotSupportedException>(() => services.GetRequiredService<StorageProviderRegistry>().Open(Credential("sftp", ("host", "h"))));
        Assert.Equal("sftp storage is not available on this server yet", error.Message);
    }

    [Fact]
    public async Task Options_are_bound_from_each_backend_section()
    {
        await using var services = Services(s => s.AddS3Storage().AddGcsStorage().AddSftpStorage(),
            ("Pixerve:Storage:S3:RequestTimeout", "00:00:05"),
            ("Pixerve:Storage:Sftp:Timeout", "00:00:07"),
            ("Pixerve:Storage:Gcs:UseJwtAccessWithScopes", "false"),
            ("Pixerve:Storage:Resilience:Attempts", "2"));

        Assert.Equal(TimeSpan.FromSeconds(5), services.GetRequiredService<IOptions<S3StorageOptions>>().Value.RequestTimeout);
        Assert.Equal(TimeSpan.FromSeconds(7), services.GetRequiredService<IOptions<SftpStorageOptions>>().Value.Timeout);
        Assert.False(services.GetRequiredService<IOptions<GcsStorageOptions>>().Value.UseJwtAccessWithScopes);
        Assert.Equal(2, services.GetRequiredService<IOptions<Resilience.StorageResilienceOptions>>().Value.Attempts);
    }

    [Fact]
    public async Task Resilience_settings_polly_cannot_take_are_refused_naming_the_section()
    {
        await using var services = Services(_ => { }, ("Pixerve:Storage:Resilience:OpenFor", "00:00:00.100"));
        var error = Assert.Throws<OptionsValidationException>(() => services.GetRequiredService<IOptions<Resilience.StorageResilienceOptions>>().Value);
        Assert.Contains("Pixerve:Storage:Resilience", error.Message);
    }

    [Fact]
    public void A_credential_missing_a_required_field_names_it()
    {
        var error = Assert.Throws<InvalidOperationException>(() => S3StorageSettings.From(Credential("s3", ("bucket", "b"))));
        Assert.Equal("credential 'k' has no access_key_id", error.Message);
    }

    private static StorageCredential Credential(string backend, params (string Name, string Value)[] fields) =>
        new("k", backend, fields.ToDictionary(f => f.Name, f => f.Value));

    private static ServiceProvider Services(Action<IServiceCollection> backends, params (string Key, string Value)[] settings)
    {
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(settings.Select(s => new KeyValuePair<string, string?>(s.Key, s.Value)))
            .Build();
        var services = new ServiceCollection().AddLogging().AddSingleton<IConfiguration>(configuration);
        backends(services.AddPixerveStorage().AddDirectStorage());
        return services.BuildServiceProvider();
    }
}
