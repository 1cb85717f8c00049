using Azure.Data.Tables;
using Orleans.Configuration;
using Orleans.Dashboard;
using Pixerve.Cluster.Redis;
using Pixerve.Cluster.Postgres;
using Pixerve.ServiceDefaults;

namespace Pixerve.Gateway.Cluster;

public static class OrleansClientExtensions
{
    /// <summary>
    /// The gateway's Orleans client, finding the cluster the way the silos join it (<see cref="ClusteringOptions"/>:
    /// the same cluster id, service id and membership table), or a client handed in (tests). Either way it also
    /// gets the dashboard's client side.
    /// </summary>
    public static WebApplicationBuilder AddPixerveOrleansClient(this WebApplicationBuilder builder, IClusterClient? clusterClient)
    {
        var configuration = builder.Configuration;
        if (clusterClient is not null)
        {
            builder.Services.AddSingleton(clusterClient);
            builder.Services.AddSingleton<IGrainFactory>(clusterClient);
        }
        else
        {
            builder.UseOrleansClient(client => client.UsePixerveClustering(configuration));
        }

        new ServicesClientBuilder(builder.Services, configuration).AddDashboard(o => o.HideTrace = true);
        return builder;
    }

    private static void UsePixerveClustering(this IClientBuilder client, IConfiguration configuration)
    {
        if (configuration.UsesMembershipTable())
        {
            client.Configure<ClusterOptions>(o =>
            {
                o.ClusterId = configuration.ClusterId();
                o.ServiceId = PixerveConfiguration.ServiceId;
            });
            switch (configuration.ClusterProvider())
            {
                case ClusterProvider.Azure:
                    client.UseAzureStorageClustering(o => o.TableServiceClient = new TableServiceClient(configuration.StorageConnectionString(), new TableClientOptions().CountRequests("table")));
                    break;
                case ClusterProvider.Redis:
                    client.UseRedisClusterMembership(configuration);
                    break;
                case ClusterProvider.Postgres:
                    client.UsePostgresClustering(configuration);
                    break;
                default:
                    throw new NotSupportedException($"Pixerve:Cluster:Provider {configuration.ClusterProvider()} is not a cluster provider");
            }
        }
        else
        {
            client.UseLocalhostClustering(configuration.GetValidated<SiloEndpointOptions>(SiloEndpointOptions.Section).GatewayPort,
                PixerveConfiguration.ServiceId, configuration.ClusterId());
        }

        client.AddActivityPropagation();
        client.AddPixerveClientKey(configuration);
        // The silos' TLS, with the same certificate: a client without it cannot reach them.
        if (ClusterTls.Configured(configuration) is { } tls)
            client.UseTls(tls.Certificate, o => ClusterTls.Configure(o, tls.Settings, tls.Certificate));
        var options = configuration.GetValidated<GatewayClientOptions>(GatewayClientOptions.Section);
        client.Configure<ClientMessagingOptions>(o => o.ResponseTimeout = options.GrainCallTimeout);
        // A silo that comes back is used again within about a second, not after the one-minute gateway list refresh.
        client.Configure<ConnectionOptions>(o =>
        {
            o.ConnectionRetryDelay = TimeSpan.FromMilliseconds(250);
            o.OpenConnectionTimeout = TimeSpan.FromSeconds(2);
        });
        client.Configure<GatewayOptions>(o => o.GatewayListRefreshPeriod = options.GatewayListRefreshPeriod);
        // The silo may still be starting; keep trying for a minute rather than failing at once.
        var attempts = 0;
        client.UseConnectionRetryFilter(async (_, cancellationToken) =>
        {
            await Task.Delay(TimeSpan.FromSeconds(1), cancellationToken);
            return ++attempts < 60;
        });
    }

    /// <summary>Lets client-side registrations (the dashboard's) run against any service collection.</summary>
    private sealed class ServicesClientBuilder(IServiceCollection services, IConfiguration configuration) : IClientBuilder
    {
        public IServiceCollection Services => services;
        public IConfiguration Configuration => configuration;
    }
}
