using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Polly.CircuitBreaker;
using Pixerve.Storage.Resilience;
using Pixerve.Storage.Tests.Fakes;

namespace Pixerve.Storage.Tests;

/// <summary>The retries inside each write: transient errors only, jittered exponential backoff, and cancellation.</summary>
public sealed class RetryTests
{
    private static readonly StorageTarget Target = new("s3", "media");
    private readonly ScriptedStore _store = new();

    [Fact]
    public async Task Transient_errors_are_retried_until_the_write_lands()
    {
        using var resilience = Create(TimeProvider.System, TimeSpan.FromMilliseconds(1));
        _store.Next = (call, _) => call < 3 ? ScriptedStore.Fail(new IOException("connection reset")) : Task.FromResult("stored");

        Assert.Equal("stored", await WriteAsync(resilience, CancellationToken.None));
        Assert.Equal(3, _store.Calls);
        Assert.Equal(CircuitState.Closed, resilience.StatusOf(Target).State);
    }

    [Fact]
    public async Task A_refusal_is_not_retried_and_the_error_names_the_backend_and_file()
    {
        using var resilience = Create(TimeProvider.System, TimeSpan.FromMilliseconds(1));
        _store.Next = (_, _) => ScriptedStore.Fail(new UnauthorizedAccessException("access denied"));

        var error = await Assert.ThrowsAsync<StorageWriteException>(() => WriteAsync(resilience, CancellationToken.None));
        Assert.Equal("storage s3 'media' failed writing x.png: access denied", error.Message);
        Assert.False(error.IsTransient);
        Assert.Equal(1, _store.Calls);
    }

    [Fact]
    public async Task Retry_delays_grow_exponentially_from_the_first_with_jitter()
    {
        var clock = new DelayRecordingClock();
        using var resilience = Create(clock, TimeSpan.FromMilliseconds(250));
        _store.Next = (_, _) => ScriptedStore.Fail(new IOException("unreachable"));

        var error = await Assert.ThrowsAsync<StorageWriteException>(() => WriteAsync(resilience, CancellationToken.None));
        Assert.True(error.IsTransient);
        Assert.Equal(4, _store.Calls);
        var delays = clock.Delays;
        Assert.Equal(3, delays.Count);
        Assert.All(delays, d => Assert.InRange(d, TimeSpan.FromMilliseconds(1), TimeSpan.FromSeconds(5)));
        // Without jitter these would be exactly 250, 500 and 1000 ms, and every silo would retry in step.
        Assert.NotEqual([250.0, 500.0, 1000.0], delays.Select(d => d.TotalMilliseconds));
    }

    [Fact]
    public async Task Cancelling_reaches_the_write_under_way()
    {
        using var resilience = Create(TimeProvider.System, TimeSpan.FromMilliseconds(1));
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _store.Next = async (_, token) =>
        {
            started.SetResult();
            await Task.Delay(Timeout.Infinite, token);
            return "never";
        };
        using var cancellation = new CancellationTokenSource();

        var write = WriteAsync(resilience, cancellation.Token);
        await started.Task.WaitAsync(TimeSpan.FromSeconds(10));
        await cancellation.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => write).WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(1, _store.Calls);
    }

    [Fact]
    public async Task Cancelling_during_the_backoff_stops_the_retries()
    {
        using var resilience = Create(TimeProvider.System, TimeSpan.FromHours(1));
        _store.Next = (_, _) => ScriptedStore.Fail(new IOException("unreachable"));
        using var cancellation = new CancellationTokenSource();

        var write = WriteAsync(resilience, cancellation.Token);
        await Poll(() => _store.Calls == 1);
        await cancellation.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => write).WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(1, _store.Calls);
    }

    private static StorageResilience Create(TimeProvider clock, TimeSpan firstRetryDelay) => new(
        Options.Create(new StorageResilienceOptions { Attempts = 4, FirstRetryDelay = firstRetryDelay, FailuresToOpen = 3 }),
        clock, [], NullLogger<StorageResilience>.Instance);

    private async Task<string> WriteAsync(StorageResilience resilience, CancellationToken cancellationToken) =>
        (await resilience.PutAsync(Target, _store, "sub/x.png", new byte[] { 1 }, "image/png", null, cancellationToken)).Location;

    private static async Task Poll(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "timed out waiting");
            await Task.Delay(10);
        }
    }
}
