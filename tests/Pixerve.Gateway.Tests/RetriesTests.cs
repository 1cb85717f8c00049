using Pixerve.Grains.Jobs;
using Pixerve.Gateway.Cluster;
using Pixerve.ServiceDefaults;

namespace Pixerve.Gateway.Tests;

/// <summary>The named retry pipelines: how many calls, which failures, how long apart.</summary>
public sealed class RetriesTests
{
    /// <summary>Every wait ends at once; the waits asked for are still what the pipeline reports.</summary>
    private sealed class InstantTime : TimeProvider
    {
        public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period) =>
            System.CreateTimer(callback, state, TimeSpan.Zero, period);
    }

    private static async Task<(int Calls, List<TimeSpan> Waits, Exception? Error)> Run(Retries retries, Func<int, Exception?> failure)
    {
        var calls = 0;
        var waits = new List<TimeSpan>();
        try
        {
            await retries.WithTime(new InstantTime()).RunAsync(() =>
            {
                calls++;
                return failure(calls) is { } e ? Task.FromException(e) : Task.CompletedTask;
            }, (_, _, wait) => waits.Add(wait));
            return (calls, waits, null);
        }
        catch (Exception e)
        {
            return (calls, waits, e);
        }
    }

    [Fact]
    public async Task Cluster_calls_are_asked_three_times_300_then_600_ms_apart_while_the_cluster_is_unavailable()
    {
        var (calls, waits, error) = await Run(ClusterCalls.Retry, _ => new SiloUnavailableException("gone"));
        Assert.Equal(3, calls);
        Assert.Equal([TimeSpan.FromMilliseconds(300), TimeSpan.FromMilliseconds(600)], waits);
        Assert.IsType<SiloUnavailableException>(error);

        (calls, _, error) = await Run(ClusterCalls.Retry, n => n < 3 ? new TimeoutException() : null);
        Assert.Equal(3, calls);
        Assert.Null(error);
    }

    [Fact]
    public async Task Cluster_calls_fail_at_once_on_anything_but_unavailability()
    {
        var (calls, waits, error) = await Run(ClusterCalls.Retry, _ => new InvalidOperationException("a bug"));
        Assert.Equal(1, calls);
        Assert.Empty(waits);
        Assert.IsType<InvalidOperationException>(error);
    }

    [Fact]
    public async Task Run_reports_are_asked_six_times_with_doubling_waits()
    {
        var (calls, waits, error) = await Run(JobWorkers.Reports, _ => new InvalidOperationException("any"));
        Assert.Equal(6, calls);
        Assert.Equal([400, 800, 1600, 3200, 6400], waits.Select(w => w.TotalMilliseconds));
        Assert.NotNull(error);

        (calls, _, error) = await Run(JobWorkers.Reports, n => n < 6 ? new InvalidOperationException("any") : null);
        Assert.Equal(6, calls);
        Assert.Null(error);
    }
}
