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
    ILogger<QueueReporter> logger) : ILifecycleParticipant<ISiloLifecycle>
{
    private readonly CancellationTokenSource _stopping = new();
    private Task _loop = Task.CompletedTask;

    private IClusterStatsGrain Stats => grains.GetGrain<IClusterStatsGrain>(0);
    private string Name => silo.SiloAddress.ToString();

    public void Participate(ISiloLifecycle lifecycle) =>
        lifecycle.Subscribe(nameof(QueueReporter), ServiceLifecycleStage.Active, Start, Stop);

    private Task Start(CancellationToken cancellationToken)
    {
        _loop = Task.Run(() => ReportAsync(_stopping.Token));
        return Task.CompletedTask;
    }

    private async Task Stop(CancellationToken cancellationToken)
    {
        await _stopping.CancelAsync();
        try
        {
            // A report in flight to a cluster that is going away must not hold up the shutdown.
            await _loop.WaitAsync(TimeSpan.FromSeconds(5), cancellationToken);
            await Stats.Forget(Name).WaitAsync(TimeSpan.FromSeconds(5), cancellationToken);
        }
        catch (Exception e)
        {
            // It goes stale on its own after a few missed reports.
            logger.LogDebug(e, "Could not withdraw this silo from the cluster stats");
        }
    }

    private async Task ReportAsync(CancellationToken stopping)
    {
        var period = options.Value.ReportPeriod;
        using var timer = new PeriodicTimer(period, time);
        try
        {
            do
            {
                try
                {
                    await Stats.Report(new SiloQueueReport(Name, queue.Depth, queue.Running, period));
                }
                catch (Exception e) when (!stopping.IsCancellationRequested)
                {
                    logger.LogWarning(e, "Could not report this silo's queue to the cluster stats");
                }
            } while (await timer.WaitForNextTickAsync(stopping));
        }
        catch (OperationCanceledException)
        {
        }
    }
}
