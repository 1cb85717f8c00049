using System.Text.Json;
using Microsoft.Extensions.Options;
using Pixerve.Storage.Credentials;
using Pixerve.Storage.Filesystem;
using Pixerve.Storage.S3;
using Pixerve.Storage.Sftp;

namespace Pixerve.Storage.Tests;

/// <summary>A provider's declared fields are the one list: validation, defaults and the settings classes read them.</summary>
public sealed class StorageProviderContractTests
{
    private static readonly SftpStorageProvider Sftp = new(Options.Create(new SftpStorageOptions()));

    [Fact]
    public void Fields_are_checked_by_kind_then_required_then_by_the_provider_s_own_rules()
    {
        Assert.Equal(["port"], Read(Sftp, """{"host": "h", "username": "u", "port": 70000}""").Errors.Select(e => e.Field));
        Assert.Equal(["host", "username"], Read(Sftp, "{}").Errors.Select(e => e.Field));
        Assert.Equal(["password", "host_key_fingerprint"], Read(Sftp, """{"host": "h", "user": "u"}""").Errors.Select(e => e.Field));

        var ok = Read(Sftp, """{"host": " h ", "User": "u", "privateKey": "KEY\n", "accept_any_host_key": true}""");
        Assert.True(ok.IsValid);
        Assert.Equal("h", ok.Settings["host"]);
        Assert.Equal("u", ok.Settings["username"]);
        Assert.Equal("true", ok.Settings["accept_any_host_key"]);
        Assert.Equal("KEY\n", ok.Secrets["private_key"]);
    }

    [Fact]
    public void Settings_take_the_declared_defaults()
    {
        var sftp = SftpStorageSettings.From(new StorageCredential("k", "sftp", new Dictionary<string, string> { ["host"] = "h", ["username"] = "u" }));
        Assert.Equal(int.Parse(SftpCredentialFields.Port.Default!), sftp.Port);
        var s3 = S3StorageSettings.From(new StorageCredential("k", "s3",
            new Dictionary<string, string> { ["bucket"] = "b", ["access_key_id"] = "a", ["secret_access_key"] = "s" }));
        Assert.Equal(S3CredentialFields.Region.Default, s3.Region);
    }

    [Fact]
    public void The_registry_is_the_list_of_names_and_refuses_two_providers_of_one_name()
    {
        var registry = new StorageProviderRegistry([new DirectStorageProvider(), Sftp]);
        Assert.Equal(["direct", "sftp"], registry.Names);
        Assert.Equal("direct or sftp", registry.NameList);
        Assert.False(registry.TryGet("s3", out _));
        var error = Assert.Throws<InvalidOperationException>(() => new StorageProviderRegistry([Sftp, new SftpStorageProvider(Options.Create(new SftpStorageOptions()))]));
        Assert.Contains("'sftp'", error.Message);
    }

    private static CredentialFields Read(IStorageProvider provider, string json) =>
        CredentialValidation.Read(provider, JsonDocument.Parse(json).RootElement);
}
