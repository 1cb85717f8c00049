using System.Net;
using Azure.Data.Tables;
using Orleans.Configuration;
using Azure.Storage.Blobs;
using Pixerve.Cluster.Redis;
using Pixerve.Cluster.Postgres;
using Pixerve.GrainInterfaces.Records;
using Pixerve.Grains;
using Pixerve.Grains.Jobs;
using Pixerve.Grains.Operations;
using Pixerve.ServiceDefaults;
using Pixerve.Staging.S3;
using Pixerve.StorageProviders;

namespace Pixerve.Silo.Hosting;

public static class PixerveSiloBuilderExtensions
{
    /// <summary>
    /// With <c>Pixerve:Cluster:Mode = azure</c> (the default) or <c>kubernetes</c>, any number of silos that find each
    /// other through the membership table in the cluster provider's store; with <c>localhost</c>, one silo.
    /// </summary>
    public static ISiloBuilder UsePixerveClustering(this ISiloBuilder silo, IConfiguration configuration)
    {
        var endpoints = configuration.GetValidated<SiloEndpointOptions>(SiloEndpointOptions.Section);
        if (!configuration.UsesMembershipTable())
            return silo.UseLocalhostClustering(endpoints.Port, endpoints.GatewayPort, serviceId: PixerveConfiguration.ServiceId,
                clusterId: configuration.ClusterId());

        silo.Configure<ClusterOptions>(o =>
        {
            o.ClusterId = configuration.ClusterId();
            o.ServiceId = PixerveConfiguration.ServiceId;
        });
        switch (configuration.ClusterProvider())
        {
            case ClusterProvider.Azure:
                silo.UseAzureStorageClustering(o => o.TableServiceClient = new TableServiceClient(configuration.StorageConnectionString(), new TableClientOptions().CountRequests("table")));
                break;
            case ClusterProvider.Redis:
                silo.UseRedisClusterMembership(configuration);
                break;
            case ClusterProvider.Postgres:
                silo.UsePostgresClustering(configuration);
                break;
            default:
                throw new NotSupportedException($"Pixerve:Cluster:Provider {configuration.ClusterProvider()} is not a cluster provider");
        }

        if (configuration.ClusterMode() == ClusterMode.Kubernetes)
        {
            silo.UsePixerveKubernetesHosting(configuration, endpoints);
        }
        else
        {
            // Listen where it advertises: on every interface only when it advertises a non-loopback address.
            var advertised = endpoints.AdvertisedAddress;
            silo.ConfigureEndpoints(advertised, endpoints.Port, endpoints.GatewayPort, listenOnAnyHostAddress: !IPAddress.IsLoopback(advertised));
        }

        silo.Configure<ClusterMembershipOptions>(configuration.GetSection("Pixerve:Cluster:Membership"));
        return silo;
    }

    /// <summary>Everything a Pixerve silo needs except clustering, which the host chooses.</summary>
    public static ISiloBuilder AddPixerve(this ISiloBuilder silo, IConfiguration configuration)
    {
        switch (configuration.ClusterProvider())
        {
            case ClusterProvider.Azure:
                silo.AddAzureClusterState(configuration.StorageConnectionString());
                break;
            case ClusterProvider.Redis:
                // Grain state, reminders and the key ring in Redis; staging is Pixerve:Staging:Provider's.
                silo.AddRedisClusterState(configuration, GrainStorageNames.Jobs, GrainStorageNames.Credentials);
                break;
            case ClusterProvider.Postgres:
                // Grain state, reminders and the Data Protection key ring in PostgreSQL; staging is Pixerve:Staging:Provider's.
                silo.AddPostgresClusterState(configuration, GrainStorageNames.Jobs, GrainStorageNames.Credentials);
                silo.Services.AddPostgresKeyRing(configuration);
                break;
            default:
                throw new NotSupportedException($"Pixerve:Cluster:Provider {configuration.ClusterProvider()} is not a cluster provider");
        }

        // Reminders (retention's) may tick as fast as jobs are resumed, below Orleans' one-minute floor (tests do).
        var resume = configuration.GetValidated<JobOptions>(JobOptions.Section).ResumePeriod;
        silo.Configure<ReminderOptions>(o => o.MinimumReminderPeriod = TimeSpan.FromTicks(Math.Min(resume.Ticks, o.MinimumReminderPeriod.Ticks)));

        silo.UsePixerveTls(configuration);
        silo.AddIncomingGrainCallFilter<ClusterClientCallFilter>();
        silo.Services.AddPixerveGrainServices(configuration);
        // Staging in a bucket (Pixerve:Staging:Provider = s3): registered here, as the grains see staging through its contract only.
        silo.Services.AddS3Staging();
        // The storage backends: the same call as the gateway's, so both accept the same credential types.
        silo.Services.AddPixerveStorageProviders();
        // Grain calls join the caller's trace: one upload is one trace across gateway and silos.
        silo.AddActivityPropagation();
        silo.Services.AddPixerveTracing(configuration, web: false);
        silo.AddPixerveOperations(configuration);
        silo.AddStartupTask((services, _) => services.GetRequiredService<IGrainFactory>().GetGrain<ICleanupGrain>(0).EnsureScheduled());
        return silo;
    }

    /// <summary>Grain state in blobs and reminders in a table of the storage account.</summary>
    private static void AddAzureClusterState(this ISiloBuilder silo, string connectionString)
    {
        silo.AddAzureBlobGrainStorage(GrainStorageNames.Jobs, o => o.BlobServiceClient = new BlobServiceClient(connectionString, new BlobClientOptions().CountRequests("blob")));
        // Storage credentials (secrets encrypted by Data Protection) in their own container.
        silo.AddAzureBlobGrainStorage(GrainStorageNames.Credentials, o =>
        {
            o.BlobServiceClient = new BlobServiceClient(connectionString, new BlobClientOptions().CountRequests("blob"));
            o.ContainerName = "pixerve-credentials";
        });
        silo.UseAzureTableReminderService(o => o.TableServiceClient = new TableServiceClient(connectionString, new TableClientOptions().CountRequests("table")));
    }
}
