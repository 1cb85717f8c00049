using Microsoft.Extensions.Diagnostics.HealthChecks;
using Pixerve.Gateway.Staging;

namespace Pixerve.Gateway.Health;

/// <summary>Staging storage answers, within a few seconds: uploads can be accepted.</summary>
public sealed class StagingHealthCheck(StagingStore staging) : IHealthCheck
{
    /// <summary>A hung account fails the probe in this time, not after the client's retries.</summary>
    private static readonly TimeSpan ProbeTimeout = TimeSpan.FromSeconds(3);

    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(ProbeTimeout);
            await staging.ProbeAsync(timeout.Token);
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
