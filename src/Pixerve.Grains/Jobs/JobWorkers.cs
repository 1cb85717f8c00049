using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Runtime;

namespace Pixerve.Grains.Jobs;

/// <summary>
/// The silo's conversion workers: each takes the next job from <see cref="JobQueue"/>, asks its grain to
/// start, converts it on this silo and reports back. Their number bounds the silo's concurrent conversions.
/// </summary>
public sealed class JobWorkers(
    JobQueue queue,
    IGrainFactory grains,
    ILocalSiloDetails silo,
    IOptions<JobOptions> options,
    ILogger<JobWorkers> logger)
    : BackgroundService
{
    protected override Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var count = options.Value.EffectiveConcurrency;
        logger.LogInformation("Starting {Count} conversion workers", count);
        return Task.WhenAll(Enumerable.Range(0, count).Select(_ => Task.Run(() => WorkAsync(stoppingToken), stoppingToken)));
    }

    private async Task WorkAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            string hash;
            try
            {
                hash = await queue.DequeueAsync(stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }

            try
            {
                await RunAsync(hash);
            }
            catch (Exception e)
            {
                // The job's reminder brings it back; nothing is lost by dropping it here.
                logger.LogWarning(e, "Job {Hash} could not be run on this silo", hash);
            }
            finally
            {
                queue.Done();
            }
        }
    }

    private async Task RunAsync(string hash)
    {
        var job = grains.GetGrain<IJobGrain>(hash);
        var submission = await job.TryStart(silo.SiloAddress.ToString());
        if (submission is null) return;

        ConversionResult result;
        try
        {
            result = await grains.GetGrain<IConverterGrain>(0).Convert(new ConversionRequest(hash, submission));
        }
        catch (Exception e)
        {
            logger.LogWarning(e, "Conversion of {Hash} broke", hash);
            await job.RunFailed(e.Message);
            return;
        }

        await job.Complete(result);
    }
}
