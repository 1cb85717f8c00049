using Microsoft.Extensions.Diagnostics.HealthChecks;
using Pixerve.Gateway.Upload;

namespace Pixerve.Gateway.Health;

/// <summary>Staging storage answers: uploads can be accepted.</summary>
public sealed class StagingHealthCheck(StagingStore staging) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            await staging.ProbeAsync(cancellationToken);
            return HealthCheckResult.Healthy();
        }
        catch (Exception e)
        {
            return HealthCheckResult.Unhealthy("staging storage is unreachable", e);
        }
    }
}

/// <summary>The Orleans cluster answers: jobs can be queued.</summary>
public sealed class ClusterHealthCheck(IGrainFactory grains) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            var hosts = await grains.GetGrain<IManagementGrain>(0).GetHosts(onlyActive: true).WaitAsync(TimeSpan.FromSeconds(5), cancellationToken);
            return hosts.Count > 0 ? HealthCheckResult.Healthy() : HealthCheckResult.Unhealthy("no active silo");
        }
        catch (Exception e)
        {
            return HealthCheckResult.Unhealthy("the cluster is unreachable", e);
        }
    }
}
