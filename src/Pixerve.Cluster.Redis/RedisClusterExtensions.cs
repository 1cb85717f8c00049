using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Orleans.Configuration;
using Orleans.Hosting;
using StackExchange.Redis;

namespace Pixerve.Cluster.Redis;

/// <summary>
/// <c>Pixerve:Cluster:Provider = redis</c>: membership, grain state, reminders and the Data Protection key ring in one
/// Redis (<c>Pixerve:Cluster:Redis:ConnectionString</c>), through Orleans' Redis providers over one shared connection.
/// </summary>
public static class RedisClusterExtensions
{
    /// <summary>The key that holds the Data Protection key ring (a list of XML elements, one per key).</summary>
    public const string KeyRingKey = "pixerve/data-protection-keys";

    /// <summary>The silo's membership table: the hash <c>{ServiceId}/members/{ClusterId}</c>.</summary>
    public static ISiloBuilder UseRedisClusterMembership(this ISiloBuilder silo, IConfiguration configuration)
    {
        var connection = silo.Services.AddRedisClusterConnection(configuration);
        return silo.UseRedisClustering(o =>
        {
            o.ConfigurationOptions = connection.Options;
            o.CreateMultiplexer = async _ => (await connection.Connection.GetAsync(), true);
        });
    }

    /// <summary>The gateway's view of the membership table, to find the silos' gateways.</summary>
    public static IClientBuilder UseRedisClusterMembership(this IClientBuilder client, IConfiguration configuration)
    {
        var connection = client.Services.AddRedisClusterConnection(configuration);
        return client.UseRedisClustering(o =>
        {
            o.ConfigurationOptions = connection.Options;
            o.CreateMultiplexer = async _ => (await connection.Connection.GetAsync(), true);
        });
    }

    /// <summary>
    /// Grain state under each of <paramref name="storageNames"/> (hashes <c>{ServiceId}/state/{grain id}/{state name}</c>),
    /// reminders (the sorted set <c>{ServiceId}/reminders</c>) and the key ring (<see cref="KeyRingKey"/>).
    /// </summary>
    public static ISiloBuilder AddRedisClusterState(this ISiloBuilder silo, IConfiguration configuration, params string[] storageNames)
    {
        var connection = silo.Services.AddRedisClusterConnection(configuration);
        foreach (var name in storageNames)
        {
            silo.AddRedisGrainStorage(name, o =>
            {
                o.ConfigurationOptions = connection.Options;
                o.CreateMultiplexer = async _ => (await connection.Connection.GetAsync(), true);
                // As Azure blob storage does: a cleared record is gone, so that the next write without an ETag creates
                // it again (a record that exists refuses such a write: the create-if-absent of job identity).
                o.DeleteStateOnClear = true;
            });
        }

        silo.UseRedisReminderService(o =>
        {
            o.ConfigurationOptions = connection.Options;
            o.CreateMultiplexer = async _ => (await connection.Connection.GetAsync(), true);
        });
        silo.Services.AddRedisKeyRing();
        return silo;
    }

    /// <summary>
    /// The Data Protection key ring in <see cref="KeyRingKey"/>, shared by every silo on the Redis; what encrypts
    /// the keys at rest (a certificate) is configured apart and stays as it is.
    /// </summary>
    public static IServiceCollection AddRedisKeyRing(this IServiceCollection services)
    {
        services.AddOptions<KeyManagementOptions>().Configure<RedisClusterConnection>((o, connection) =>
            o.XmlRepository = new RedisKeyRingRepository(connection, KeyRingKey));
        return services;
    }

    /// <summary>One connection per process, made on first use; the connection string is checked now.</summary>
    private static Registration AddRedisClusterConnection(this IServiceCollection services, IConfiguration configuration)
    {
        if (services.FirstOrDefault(s => s.ServiceType == typeof(Registration))?.ImplementationInstance is Registration registered)
            return registered;
        var options = RedisClusterOptions.Read(configuration);
        var registration = new Registration(options, new RedisClusterConnection(options));
        services.AddSingleton(registration);
        services.TryAddSingleton(registration.Connection);
        return registration;
    }

    /// <summary>The parsed options (Orleans logs them, without the password) and the connection made from them.</summary>
    private sealed record Registration(ConfigurationOptions Options, RedisClusterConnection Connection);
}
