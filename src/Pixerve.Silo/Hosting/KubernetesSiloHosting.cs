using Orleans.Configuration;
using Pixerve.ServiceDefaults;

namespace Pixerve.Silo.Hosting;

/// <summary>
/// <c>Pixerve:Cluster:Mode = kubernetes</c>: membership stays in the storage account's table (as <c>azure</c>, so the
/// gateways find the silos the same way), and Orleans' Kubernetes integration adds what a pod knows: the silo advertises
/// its pod's IP (<c>POD_IP</c>) and listens on every interface, is named after its pod (<c>POD_NAME</c>), and the silos
/// watch the pods labelled with the cluster's ids (<c>orleans/serviceId</c>, <c>orleans/clusterId</c>), so a silo whose
/// pod is deleted is declared dead at once and the pod of a silo declared dead is deleted.
/// </summary>
public static class KubernetesSiloHosting
{
    public static ISiloBuilder UsePixerveKubernetesHosting(this ISiloBuilder silo, IConfiguration configuration, SiloEndpointOptions endpoints)
    {
        // Ports only: the integration sets the advertised address (the pod IP) and the listening endpoints.
        silo.Configure<EndpointOptions>(o =>
        {
            o.SiloPort = endpoints.Port;
            o.GatewayPort = endpoints.GatewayPort;
        });
        silo.UseKubernetesHosting(options => options.Configure(o => o.DeleteDefunctSiloPods = true));
        // The integration lets ORLEANS_CLUSTER_ID / ORLEANS_SERVICE_ID override the ids; Pixerve's own win, so silos and
        // gateways (which never read those variables) always name the same cluster. The pods' labels must match them.
        var clusterId = configuration.ClusterId();
        silo.Services.PostConfigure<ClusterOptions>(o =>
        {
            o.ClusterId = clusterId;
            o.ServiceId = PixerveConfiguration.ServiceId;
        });
        return silo;
    }
}
