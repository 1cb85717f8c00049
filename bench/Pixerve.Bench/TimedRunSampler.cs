using Pixerve.Testing.Fixtures;

namespace Pixerve.Bench;

/// <summary>
/// What is read during the timed run: the silos' niced-thread CPU every second (<see cref="NicedThreadCpu"/>) and each
/// silo's queue (<c>pixerve_queue_depth</c>: jobs waiting, <c>pixerve_queue_running</c>: jobs converting) from its
/// <c>/metrics</c> every two seconds, averaged.
/// </summary>
internal sealed class TimedRunSampler : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;
    private readonly List<(double Depth, double Running)>[] _queues;

    public TimedRunSampler(NicedThreadCpu conversionCpu, HttpClient scraper, IReadOnlyList<int> siloMetricsPorts)
    {
        _queues = siloMetricsPorts.Select(_ => new List<(double, double)>()).ToArray();
        _loop = Task.Run(async () =>
        {
            using var timer = new PeriodicTimer(TimeSpan.FromSeconds(1));
            var tick = 0;
            try
            {
                while (await timer.WaitForNextTickAsync(_stop.Token))
                {
                    conversionCpu.Sample();
                    if (tick++ % 2 != 0) continue;
                    for (var i = 0; i < siloMetricsPorts.Count; i++)
                    {
                        var text = await PrometheusText.ScrapeAsync(scraper, $"http://127.0.0.1:{siloMetricsPorts[i]}/metrics");
                        _queues[i].Add((PrometheusText.Sum(text, "pixerve_queue_depth"), PrometheusText.Sum(text, "pixerve_queue_running")));
                    }
                }
            }
            catch (OperationCanceledException)
            {
            }
        });
    }

    /// <summary>Mean jobs waiting and converting per silo over the samples, in the order of the ports given.</summary>
    public IReadOnlyList<(double Depth, double Running)> MeanQueues() =>
        _queues.Select(q => q.Count == 0 ? (double.NaN, double.NaN) : (q.Average(s => s.Depth), q.Average(s => s.Running))).ToList();

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _loop;
        _stop.Dispose();
    }
}
