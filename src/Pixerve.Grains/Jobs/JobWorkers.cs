using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Runtime;

namespace Pixerve.Grains.Jobs;

/// <summary>
/// The silo's conversion workers: each takes the next job from <see cref="JobQueue"/>, asks its grain to
/// start, converts it on this silo and reports back. Their number bounds the silo's concurrent conversions.
/// They start once the silo is active and stop first when it shuts down: running conversions get
/// <see cref="JobOptions.ShutdownTimeout"/> to finish, and jobs still queued here stay pending in storage,
/// to be resumed by their reminders on another silo.
/// </summary>
public sealed class JobWorkers(
    JobQueue queue,
    IGrainFactory grains,
    ILocalSiloDetails silo,
    IOptions<JobOptions> options,
    ILogger<JobWorkers> logger) : ILifecycleParticipant<ISiloLifecycle>
{
    private const int ReportAttempts = 6;
    private readonly CancellationTokenSource _stopping = new();
    private Task _workers = Task.CompletedTask;
    private IDisposable? _gauges;

    public void Participate(ISiloLifecycle lifecycle) =>
        lifecycle.Subscribe(nameof(JobWorkers), ServiceLifecycleStage.Active, Start, Stop);

    private Task Start(CancellationToken cancellationToken)
    {
        var count = options.Value.EffectiveConcurrency;
        logger.LogInformation("Starting {Count} conversion workers", count);
        _gauges = PixerveMetrics.ObserveQueue(silo.SiloAddress.ToString(), () => (queue.Depth, queue.Running));
        _workers = Task.WhenAll(Enumerable.Range(0, count).Select(_ => Task.Run(() => WorkAsync(_stopping.Token))));
        return Task.CompletedTask;
    }

    private async Task Stop(CancellationToken cancellationToken)
    {
        await _stopping.CancelAsync();
        _gauges?.Dispose();
        var running = queue.Running;
        try
        {
            await _workers.WaitAsync(options.Value.ShutdownTimeout, cancellationToken);
            logger.LogInformation("Conversion workers stopped; {Running} running conversions finished, {Queued} jobs left to other silos",
                running, queue.Depth);
        }
        catch (Exception e) when (e is TimeoutException or OperationCanceledException)
        {
            logger.LogWarning("{Running} conversions did not finish in time; their jobs will run again elsewhere", queue.Running);
        }
    }

    private async Task WorkAsync(CancellationToken stopping)
    {
        while (!stopping.IsCancellationRequested)
        {
            string jobId;
            try
            {
                jobId = await queue.DequeueAsync(stopping);
            }
            catch (OperationCanceledException)
            {
                return;
            }

            try
            {
                await RunAsync(jobId);
            }
            catch (Exception e)
            {
                // The job's reminder brings it back; nothing is lost by dropping it here.
                logger.LogWarning(e, "Job {JobId} could not be run on this silo", jobId);
            }
            finally
            {
                queue.Done();
            }
        }
    }

    private async Task RunAsync(string jobId)
    {
        var job = grains.GetGrain<IJobGrain>(jobId);
        // Should this call break, the job stays pending and queued nowhere: its next status read or reminder queues it.
        var request = await job.TryStart(silo.SiloAddress.ToString());
        if (request is null) return;

        using var span = PixerveTracing.StartLinked("convert", request.Submission.TraceParent);
        span?.SetTag("pixerve.job_id", jobId);

        ConversionResult result;
        try
        {
            result = await grains.GetGrain<IConverterGrain>(0).Convert(request);
        }
        catch (Exception e)
        {
            // A silo that went away mid-run, a storage outage: the job goes back to the queue at once.
            var broke = ConversionErrors.Broke(e, request.CorrelationId ?? JobError.NewCorrelationId());
            logger.LogWarning(e, "Conversion of job {JobId} broke [{CorrelationId}]", jobId, broke.CorrelationId);
            await ReportAsync(jobId, () => job.RunBroke(broke));
            return;
        }

        await ReportAsync(jobId, () => job.Complete(result));
    }

    /// <summary>Tells the job how its run went, asking again while the cluster is unsettled (the outputs are already stored).</summary>
    private async Task ReportAsync(string jobId, Func<Task> report)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await report();
                return;
            }
            catch (Exception e) when (attempt < ReportAttempts)
            {
                logger.LogWarning("Reporting job {JobId}'s run failed ({Error}); asking again", jobId, e.Message);
                await Task.Delay(TimeSpan.FromMilliseconds(200 * Math.Pow(2, attempt)));
            }
        }
    }
}
