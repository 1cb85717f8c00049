using System.Collections.Concurrent;
using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Pixerve.Grains.Operations;
using Pixerve.Testing;

namespace Pixerve.Grains.Tests;

/// <summary>The loop every periodic silo service runs on: a failed tick is logged and the next one still comes; a stop is prompt.</summary>
public sealed class PeriodicSiloServiceTests
{
    private sealed class Lines : ILogger
    {
        public ConcurrentQueue<(LogLevel Level, string Text)> Written { get; } = new();
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;
        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            Written.Enqueue((logLevel, formatter(state, exception)));
    }

    private sealed class Ticker(TimeSpan period, Func<int, Task> tick, Lines lines) : PeriodicSiloService(TimeProvider.System, lines)
    {
        public int Ticks;
        protected override TimeSpan Period => period;

        protected override Task TickAsync(CancellationToken stopping) => tick(Interlocked.Increment(ref Ticks));

        public Task Loop => Running;
    }

    [Fact]
    public async Task A_failed_tick_is_logged_and_the_next_one_comes_at_its_time()
    {
        var lines = new Lines();
        var ticker = new Ticker(TimeSpan.FromMilliseconds(50), n => n == 1 ? throw new InvalidOperationException("the cluster is gone") : Task.CompletedTask, lines);
        await ticker.StartAsync(CancellationToken.None);

        await Poll.UntilAsync(() => Volatile.Read(ref ticker.Ticks) >= 3, TimeSpan.FromSeconds(10), "ticks after a failed one");
        var warning = Assert.Single(lines.Written, l => l.Level == LogLevel.Warning);
        Assert.Contains("Ticker failed (the cluster is gone)", warning.Text);

        await ticker.StopAsync(CancellationToken.None);
        Assert.True(ticker.Loop.IsCompletedSuccessfully);
    }

    [Fact]
    public async Task A_stop_ends_the_wait_for_the_next_tick_at_once()
    {
        var lines = new Lines();
        var ticker = new Ticker(TimeSpan.FromHours(1), _ => Task.CompletedTask, lines);
        await ticker.StartAsync(CancellationToken.None);

        var stopping = Stopwatch.StartNew();
        await ticker.StopAsync(CancellationToken.None);

        Assert.True(stopping.Elapsed < TimeSpan.FromSeconds(2), $"the stop took {stopping.Elapsed}");
        Assert.True(ticker.Loop.IsCompletedSuccessfully);
        Assert.Equal(0, ticker.Ticks);
        Assert.DoesNotContain(lines.Written, l => l.Level >= LogLevel.Warning);
    }
}
