using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Orleans.Configuration;
using Pixerve.ServiceDefaults;

namespace Pixerve.Cluster.Postgres;

/// <summary>
/// The registrations of <c>Pixerve:Cluster:Provider = postgres</c>, called by the silo host and the gateway in place of
/// the Azure Storage ones. Every call reads <c>Pixerve:Cluster:Postgres</c> validated, so a missing or malformed
/// connection string stops the process at start with a message naming its key.
/// </summary>
public static class PostgresClusterExtensions
{
    /// <summary>The ADO.NET provider invariant Orleans maps to Npgsql.</summary>
    public const string Invariant = "Npgsql";

    /// <summary>The silo's membership table in PostgreSQL (<c>OrleansMembershipTable</c>, <c>OrleansMembershipVersionTable</c>).</summary>
    public static ISiloBuilder UsePostgresClustering(this ISiloBuilder silo, IConfiguration configuration)
    {
        var options = Options(configuration);
        silo.Services.AddPostgresStore(options);
        return silo.UseAdoNetClustering(o =>
        {
            o.Invariant = Invariant;
            o.ConnectionString = options.ConnectionString;
        });
    }

    /// <summary>
    /// Grain state under each of <paramref name="grainStorageNames"/> (<c>OrleansStorage</c>, one table for all, rows
    /// told apart by grain type) and reminders (<c>OrleansRemindersTable</c>); the schema is applied at start when missing.
    /// </summary>
    public static ISiloBuilder AddPostgresClusterState(this ISiloBuilder silo, IConfiguration configuration, params string[] grainStorageNames)
    {
        var options = Options(configuration);
        silo.Services.AddPostgresStore(options);
        silo.Services.AddPostgresExceptionSerialization();
        foreach (var name in grainStorageNames)
        {
            silo.AddAdoNetGrainStorage(name, o =>
            {
                o.Invariant = Invariant;
                o.ConnectionString = options.ConnectionString;
            });
        }

        silo.UseAdoNetReminderService(o =>
        {
            o.Invariant = Invariant;
            o.ConnectionString = options.ConnectionString;
        });
        return silo;
    }

    /// <summary>
    /// The Data Protection key ring in <see cref="PostgresSchema.KeyRingTable"/> instead of a blob container; the
    /// certificate protection configured elsewhere (<c>Pixerve:DataProtection</c>) still applies.
    /// </summary>
    public static IServiceCollection AddPostgresKeyRing(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddPostgresStore(Options(configuration));
        services.AddOptions<KeyManagementOptions>()
            .Configure<PostgresClusterStore>((o, store) => o.XmlRepository = new PostgresXmlRepository(store.DataSource));
        return services;
    }

    /// <summary>The gateway's cluster client finding the silos in the PostgreSQL membership table.</summary>
    public static IClientBuilder UsePostgresClustering(this IClientBuilder client, IConfiguration configuration)
    {
        var options = Options(configuration);
        client.Services.AddPostgresExceptionSerialization();
        return client.UseAdoNetClustering(o =>
        {
            o.Invariant = Invariant;
            o.ConnectionString = options.ConnectionString;
        });
    }

    /// <summary>
    /// Npgsql's exceptions travel in grain answers as themselves (Orleans sends only Microsoft, System and Azure
    /// exception types unless told): a grain call that fails because PostgreSQL is down reaches the gateway as the
    /// <see cref="System.Data.Common.DbException"/> it is, which the gateway answers with 503, not as a serialization failure.
    /// </summary>
    private static void AddPostgresExceptionSerialization(this IServiceCollection services) =>
        services.Configure<Orleans.Serialization.ExceptionSerializationOptions>(o => o.SupportedNamespacePrefixes.Add("Npgsql"));

    private static PostgresClusterOptions Options(IConfiguration configuration) =>
        configuration.GetValidated<PostgresClusterOptions>(PostgresClusterOptions.Section);

    /// <summary>One pool and one start check per silo, however many of the calls above it makes.</summary>
    private static void AddPostgresStore(this IServiceCollection services, PostgresClusterOptions options)
    {
        if (services.Any(s => s.ServiceType == typeof(PostgresClusterStore))) return;
        services.AddSingleton(_ => new PostgresClusterStore(options));
        services.AddSingleton<ILifecycleParticipant<ISiloLifecycle>, PostgresSchemaStartup>();
    }
}
