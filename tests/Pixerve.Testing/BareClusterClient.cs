using Azure.Data.Tables;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Orleans.Configuration;
using Pixerve.ServiceDefaults;

namespace Pixerve.Testing;

/// <summary>
/// An Orleans client on a process cluster that finds it as any process could (the storage account's membership
/// table), without the gateway's settings: what an intruder with network access has. Not started.
/// </summary>
public static class BareClusterClient
{
    public static IHost Build(string connectionString, string clusterId, Action<IClientBuilder>? configure = null)
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Logging.ClearProviders();
        builder.UseOrleansClient(client =>
        {
            client.Configure<ClusterOptions>(o =>
            {
                o.ClusterId = clusterId;
                o.ServiceId = PixerveConfiguration.ServiceId;
            });
            client.UseAzureStorageClustering(o => o.TableServiceClient = new TableServiceClient(connectionString));
            configure?.Invoke(client);
        });
        return builder.Build();
    }
}
