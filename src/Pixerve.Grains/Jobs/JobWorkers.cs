using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Pixerve.GrainInterfaces.Jobs;
using Pixerve.ServiceDefaults;
using Orleans.Runtime;
using Pixerve.Grains.Operations;

namespace Pixerve.Grains.Jobs;

/// <summary>
/// The silo's conversion workers: each takes the next job from <see cref="JobQueue"/>, asks its grain to
/// start, converts it on this silo and reports back. Their number bounds the silo's concurrent conversions.
/// A conversion is cancelled at <see cref="JobOptions.MaxConversionTime"/> (its job fails with that reason).
/// They start once the silo is active and stop first when it shuts down: the queue closes, the jobs waiting in it
/// move to other silos at once, running conversions get <see cref="SiloEndpointOptions.ShutdownGrace"/> to finish,
/// and those still running then are cancelled and handed back to be run elsewhere.
/// </summary>
public sealed class JobWorkers(
    JobQueue queue,
    IGrainFactory grains,
    ILocalSiloDetails silo,
    IOptions<JobOptions> options,
    IOptions<SiloEndpointOptions> siloOptions,
    RunningConversions conversions,
    ILogger<JobWorkers> logger) : SiloBackgroundService(logger)
{
    /// <summary>Six tries 0.4, 0.8, 1.6, 3.2, 6.4 s apart (about 12 s in all): the outputs are stored, only the report is missing.</summary>
    public static readonly Retries Reports = new("pixerve.run-report", 6, TimeSpan.FromMilliseconds(400), Polly.DelayBackoffType.Exponential, Retries.Always);
    private static readonly TimeSpan HandBackTime = TimeSpan.FromSeconds(15);
    private readonly CancellationTokenSource _graceOver = new();
    private IDisposable? _gauges;

    protected override Task ExecuteAsync(CancellationToken stopping)
    {
        var count = options.Value.EffectiveConcurrency;
        Logger.LogInformation("Starting {Count} conversion workers", count);
        if (options.Value.Paused)
        {
            queue.Pause();
            Logger.LogWarning("Pixerve:Jobs:Paused is set: jobs are queued on this silo and none is started");
        }

        _gauges = PixerveMetrics.ObserveQueue(silo.SiloAddress.ToString(), () => (queue.Depth, queue.Running));
        return Task.WhenAll(Enumerable.Range(0, count).Select(_ => Task.Run(() => WorkAsync(stopping))));
    }

    /// <summary>Not the base's bounded wait: running conversions get the shutdown grace, then are handed back.</summary>
    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await CancelAsync();
        _gauges?.Dispose();
        var running = queue.Running;
        var waiting = queue.Close();
        // Each waiting job's grain moves to another silo and is queued there now, not at its next reminder.
        await Task.WhenAll(waiting.Select(HandOffAsync));
        var grace = siloOptions.Value.ShutdownGrace;
        Logger.LogInformation("Stopping: {Waiting} waiting jobs moved to other silos; {Running} running conversions get {Grace} to finish",
            waiting.Count, running, grace);
        try
        {
            await Running.WaitAsync(grace, cancellationToken);
            Logger.LogInformation("Conversion workers stopped; {Running} running conversions finished", running);
        }
        catch (Exception e) when (e is TimeoutException or OperationCanceledException)
        {
            Logger.LogWarning("{Running} conversions did not finish within {Grace}; they are cancelled and handed back", queue.Running, grace);
            await _graceOver.CancelAsync();
            try
            {
                await Running.WaitAsync(HandBackTime, CancellationToken.None);
            }
            catch (TimeoutException)
            {
                Logger.LogWarning("{Running} conversions were not handed back in time; their reminders resume them elsewhere", queue.Running);
            }
        }
    }

    private async Task HandOffAsync(string jobId)
    {
        try
        {
            await grains.GetGrain<IJobGrain>(jobId).HandOff();
        }
        catch (Exception e)
        {
            // Its reminder resumes it on another silo; only later.
            Logger.LogWarning("Job {JobId} could not be handed to another silo ({Error})", jobId, e.Message);
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
                Logger.LogWarning(e, "Job {JobId} could not be run on this silo", jobId);
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
        // Held before the start and until the report: should a call break or time out on the way (the start's write
        // still landing after this worker gave up on it), the job sees no run here and its reminder queues it again.
        using var held = conversions.Hold(jobId);
        // Should this call break, the job stays pending and queued nowhere: its next status read or reminder queues it.
        var request = await job.TryStart(silo.SiloAddress.ToString());
        if (request is null) return;

        using var span = PixerveTracing.StartLinked("convert", request.Submission.TraceParent);
        span?.SetTag("pixerve.job_id", jobId);

        var limit = options.Value.MaxConversionTime;
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(_graceOver.Token);
        deadline.CancelAfter(limit);
        using var cancellable = conversions.Register(request.CorrelationId, deadline.Token);
        ConversionResult result;
        try
        {
            result = await grains.GetGrain<IConverterGrain>(0).Convert(request);
        }
        catch (OperationCanceledException) when (_graceOver.IsCancellationRequested)
        {
            var reason = ConversionErrors.HandedBack(siloOptions.Value.ShutdownGrace, silo.SiloAddress.ToString(), request.CorrelationId);
            await ReportAsync(jobId, () => job.HandBack(reason));
            return;
        }
        catch (OperationCanceledException) when (deadline.IsCancellationRequested)
        {
            var tooLong = ConversionErrors.TooLong(limit, request.CorrelationId);
            Logger.LogWarning("Conversion of job {JobId} outlasted {Limit} and was cancelled [{CorrelationId}]", jobId, limit, tooLong.CorrelationId);
            await ReportAsync(jobId, () => job.Complete(ConversionResult.Of([], tooLong)));
            return;
        }
        catch (Exception e)
        {
            // A silo that went away mid-run, a storage outage: the job goes back to the queue at once.
            var broke = ConversionErrors.Broke(e, request.CorrelationId);
            Logger.LogWarning(e, "Conversion of job {JobId} broke [{CorrelationId}]", jobId, broke.CorrelationId);
            await ReportAsync(jobId, () => job.RunBroke(broke));
            return;
        }

        await ReportAsync(jobId, () => job.Complete(result));
    }

    /// <summary>Tells the job how its run went, asking again while the cluster is unsettled (the outputs are already stored).</summary>
    private Task ReportAsync(string jobId, Func<Task> report) =>
        Reports.RunAsync(report, (e, _, _) => Logger.LogWarning("Reporting job {JobId}'s run failed ({Error}); asking again", jobId, e.Message));
}
