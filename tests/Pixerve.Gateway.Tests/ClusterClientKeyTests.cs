using Microsoft.Extensions.Configuration;
using Pixerve.ServiceDefaults;

namespace Pixerve.Gateway.Tests;

/// <summary>
/// The key that tells Pixerve's gateway from any process reaching a silo's gateway port is derived from a secret the
/// deployment holds: never from a value that is public for that deployment.
/// </summary>
public sealed class ClusterClientKeyTests
{
    private static string Resolve(params (string Key, string Value)[] settings) =>
        ClusterClientKey.Resolve(new ConfigurationBuilder()
            .AddInMemoryCollection(settings.Select(s => new KeyValuePair<string, string?>(s.Key, s.Value)))
            .Build());

    [Theory]
    [InlineData("postgres", "Pixerve:Cluster:Postgres:ConnectionString", "Host=db;Username=pixerve;Password=one", "Host=db;Username=pixerve;Password=two")]
    [InlineData("redis", "Pixerve:Cluster:Redis:ConnectionString", "cache:6379,password=one", "cache:6379,password=two")]
    public void Off_azure_the_key_follows_the_providers_connection_string_not_the_unused_storage_default(
        string provider, string key, string one, string two)
    {
        // The storage connection string stays Azurite's published default off Azure: a key derived from it is a key
        // anyone can compute.
        var first = Resolve(("Pixerve:Cluster:Provider", provider), (key, one));
        var second = Resolve(("Pixerve:Cluster:Provider", provider), (key, two));
        var fromPublicDefault = Resolve(("Pixerve:Cluster:Provider", "azure"));

        Assert.NotEqual(first, second);
        Assert.NotEqual(fromPublicDefault, first);
        Assert.Equal(first, Resolve(("Pixerve:Cluster:Provider", provider), (key, one)));
    }

    [Fact]
    public void On_azure_the_key_follows_the_storage_connection_string()
    {
        var one = Resolve(("Pixerve:Storage:ConnectionString", "DefaultEndpointsProtocol=https;AccountName=a;AccountKey=b25l"));
        var two = Resolve(("Pixerve:Storage:ConnectionString", "DefaultEndpointsProtocol=https;AccountName=a;AccountKey=dHdv"));
        Assert.NotEqual(one, two);
    }

    [Fact]
    public void A_configured_key_wins_over_any_derivation()
    {
        var configured = Resolve(("Pixerve:Cluster:Provider", "postgres"), ("Pixerve:Cluster:ClientKey", "set-by-operator"),
            ("Pixerve:Cluster:Postgres:ConnectionString", "Host=db;Password=one"));
        Assert.Equal(configured, Resolve(("Pixerve:Cluster:ClientKey", "set-by-operator")));
    }
}
