using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Configuration;

namespace Pixerve.ServiceDefaults;

/// <summary>
/// The key a cluster client (the gateway) presents with every grain call, so a silo tells Pixerve's gateway from any
/// process that merely reached its gateway port. <c>Pixerve:Cluster:ClientKey</c> (<c>PIXERVE_CLUSTER_CLIENT_KEY</c>)
/// when set; otherwise derived from the connection string of the cluster provider's store, which silos and gateways
/// share anyway and which already opens every grain's state. Not from the storage connection string whatever the
/// provider: off Azure that is Azurite's published default, from which anyone could compute the key. Sent in the call's
/// request context: cluster TLS keeps it off the wire.
/// </summary>
public static class ClusterClientKey
{
    public const string ConfigurationKey = "Pixerve:Cluster:ClientKey";

    /// <summary>The request-context key the gateway's calls carry it under.</summary>
    public const string ContextKey = "pixerve-client-key";

    public static string Resolve(IConfiguration configuration)
    {
        var configured = configuration[ConfigurationKey];
        var material = configured is { Length: > 0 } ? configured : ProviderSecret(configuration);
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes("pixerve cluster client key v1\n" + material)));
    }

    /// <summary>The connection string of the store that holds every grain's state, named by its provider.</summary>
    private static string ProviderSecret(IConfiguration configuration) => configuration.ClusterProvider() switch
    {
        ClusterProvider.Postgres => "postgres:" + configuration[ClusteringOptions.PostgresConnectionStringKey],
        ClusterProvider.Redis => "redis:" + configuration[ClusteringOptions.RedisConnectionStringKey],
        _ => "storage:" + configuration.StorageConnectionString(),
    };

    /// <summary>Constant time: the comparison's timing says nothing of how much of a guess was right.</summary>
    public static bool Matches(string expected, object? presented) =>
        presented is string value &&
        CryptographicOperations.FixedTimeEquals(SHA256.HashData(Encoding.UTF8.GetBytes(value)), SHA256.HashData(Encoding.UTF8.GetBytes(expected)));

    /// <summary>The client side: every outgoing grain call carries the key.</summary>
    public static IClientBuilder AddPixerveClientKey(this IClientBuilder client, IConfiguration configuration)
    {
        var key = Resolve(configuration);
        return client.AddOutgoingGrainCallFilter(context =>
        {
            Orleans.Runtime.RequestContext.Set(ContextKey, key);
            return context.Invoke();
        });
    }
}
