using Orleans.Hosting;

namespace Pixerve.Silo;

public static class ClusterTlsSiloExtensions
{
    /// <summary>TLS on the silo's links to other silos and to gateways when <c>Pixerve:Cluster:Tls:Enabled</c>.</summary>
    public static ISiloBuilder UsePixerveTls(this ISiloBuilder silo, IConfiguration configuration)
    {
        if (ClusterTls.Configured(configuration) is { } tls)
            silo.UseTls(tls.Certificate, options => ClusterTls.Configure(options, tls.Settings, tls.Certificate));
        return silo;
    }
}
