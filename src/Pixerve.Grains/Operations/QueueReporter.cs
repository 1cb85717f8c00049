using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Pixerve.GrainInterfaces.Operations;
using Pixerve.Grains.Jobs;

namespace Pixerve.Grains.Operations;

/// <summary>
/// Reports this silo's <see cref="JobQueue.Depth"/> and <see cref="JobQueue.Running"/> to the cluster's stats
/// grain every <see cref="StatsOptions.ReportPeriod"/> while the silo is active, and withdraws it on shutdown.
/// </summary>
public sealed class QueueReporter(
    JobQueue queue,
    IGrainFactory grains,
    ILocalSiloDetails silo,
    IOptions<StatsOptions> options,
    TimeProvider time,
    ILogger<QueueReporter> logger) : PeriodicSiloService(time, logger)
{
    private IClusterStatsGrain Stats => grains.GetGrain<IClusterStatsGrain>(0);
    private string Name => silo.SiloAddress.ToString();

    protected override TimeSpan Period => options.Value.ReportPeriod;
    protected override bool TickAtStart => true;

    protected override Task TickAsync(CancellationToken stopping) =>
        Stats.Report(new SiloQueueReport(Name, queue.Depth, queue.Running, Period));

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        // A report in flight to a cluster that is going away must not hold up the shutdown.
        await base.StopAsync(cancellationToken);
        try
        {
            await Stats.Forget(Name).WaitAsync(TimeSpan.FromSeconds(5), cancellationToken);
        }
        catch (Exception e)
        {
            // It goes stale on its own after a few missed reports.
            Logger.LogDebug(e, "Could not withdraw this silo from the cluster stats");
        }
    }
}
