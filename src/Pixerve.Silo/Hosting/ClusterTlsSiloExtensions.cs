using Pixerve.ServiceDefaults;

namespace Pixerve.Silo.Hosting;

public static class ClusterTlsSiloExtensions
{
    /// <summary>
    /// TLS on the silo's links to other silos and to gateways when <c>Pixerve:Cluster:Tls:Enabled</c>. In
    /// <c>kubernetes</c> mode the silo's ports face every pod of the cluster network, so it refuses to start without
    /// TLS unless <c>Pixerve:Cluster:Tls:AllowInsecure</c> says that is meant.
    /// </summary>
    public static ISiloBuilder UsePixerveTls(this ISiloBuilder silo, IConfiguration configuration)
    {
        if (ClusterTls.Configured(configuration) is { } tls)
            silo.UseTls(tls.Certificate, options => ClusterTls.Configure(options, tls.Settings, tls.Certificate));
        else if (RefusesPlainLinks(configuration))
            throw new InvalidOperationException(
                $"{ClusterTlsOptions.Section}:Enabled is off in kubernetes mode: any pod could join or call the cluster. Configure " +
                $"{ClusterTlsOptions.Section} (a certificate, CaCertificatePath and AllowedSubjects), or set " +
                $"{ClusterTlsOptions.Section}:AllowInsecure=true to run without it on purpose.");
        return silo;
    }

    public static bool RefusesPlainLinks(IConfiguration configuration) =>
        configuration.ClusterMode() == ClusterMode.Kubernetes &&
        !configuration.GetValidated<ClusterTlsOptions>(ClusterTlsOptions.Section).AllowInsecure;
}
