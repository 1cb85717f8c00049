using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Polly.CircuitBreaker;
using Pixerve.Storage.Resilience;
using Pixerve.Storage.Tests.Fakes;

namespace Pixerve.Storage.Tests;

/// <summary>The circuit of each backend and credential, as Polly's breaker in <see cref="StorageResilience"/> runs it.</summary>
public sealed class CircuitBreakersTests : IDisposable
{
    private static readonly StorageTarget S3A = new("s3", "a");
    private static readonly StorageTarget S3B = new("s3", "b");
    private static readonly StorageTarget SftpA = new("sftp", "a");
    private static readonly StorageTarget GcsA = new("gcs", "a");

    private readonly ManualClock _clock = new();
    private readonly RecordingObserver _observer = new();
    private readonly ScriptedStore _store = new();
    private readonly StorageResilience _resilience;

    // One attempt per write, so each write is one outcome for the breaker (retries have their own tests).
    public CircuitBreakersTests() => _resilience = new StorageResilience(
        Options.Create(new StorageResilienceOptions { Attempts = 1, FailuresToOpen = 3, OpenFor = TimeSpan.FromSeconds(30) }),
        _clock, [_observer], NullLogger<StorageResilience>.Instance);

    public void Dispose() => _resilience.Dispose();

    [Fact]
    public async Task Opens_after_the_configured_failures_in_a_row_and_refuses_until_the_cool_down_ends()
    {
        var first = await FailAsync(S3A, "boom 1");
        Assert.Equal("storage s3 'a' failed writing x.jpg: boom 1", first.Message);
        await FailAsync(S3A, "boom 2");
        Assert.Equal(CircuitState.Closed, _resilience.StatusOf(S3A).State);
        // The third write still reaches the backend; its failure opens the circuit.
        await FailAsync(S3A, "boom 3");
        Assert.Equal(3, _store.Calls);

        var refusal = await Assert.ThrowsAsync<StorageUnavailableException>(() => WriteAsync(S3A));
        Assert.StartsWith("storage s3 'a' is unavailable: circuit open after 3 failures in a row, next try after 00:00:30Z", refusal.Message);
        Assert.Contains("boom 3", refusal.Message);
        Assert.Equal(3, _store.Calls);
        Assert.Equal(CircuitState.Open, _resilience.StatusOf(S3A).State);

        // The health view heard of it, with the job's error.
        var opened = Assert.Single(_observer.Changes);
        Assert.Equal(("open", S3A), (opened.Wire, opened.Target));
        Assert.Equal("storage s3 'a' failed writing x.jpg: boom 3", opened.LastError);

        // Other credentials are not affected.
        _store.Next = (_, _) => Task.FromResult("stored");
        Assert.Equal("stored", await WriteAsync(S3B));
    }

    [Fact]
    public async Task A_success_resets_the_count()
    {
        await FailAsync(SftpA, "x");
        await FailAsync(SftpA, "x");
        _store.Next = (_, _) => Task.FromResult("stored");
        await WriteAsync(SftpA);
        // Nothing changed state, so nothing was reported.
        Assert.Empty(_observer.Changes);
        await FailAsync(SftpA, "x");
        Assert.Equal(CircuitState.Closed, _resilience.StatusOf(SftpA).State);

        // The run counts from that success: two more failures make three in a row.
        await FailAsync(SftpA, "x");
        await FailAsync(SftpA, "x");
        Assert.Equal(CircuitState.Open, _resilience.StatusOf(SftpA).State);
    }

    [Fact]
    public async Task After_the_cool_down_one_trial_goes_through_and_its_outcome_closes_or_reopens_the_circuit()
    {
        for (var i = 0; i < 3; i++) await FailAsync(GcsA, "down");
        _clock.Now += TimeSpan.FromSeconds(31);

        var trialOutcome = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        _store.Next = (_, _) => trialOutcome.Task;
        var trial = WriteAsync(GcsA);
        Assert.Equal(CircuitState.HalfOpen, _resilience.StatusOf(GcsA).State);
        // While the trial runs, everyone else still fails fast.
        await Assert.ThrowsAsync<StorageUnavailableException>(() => WriteAsync(GcsA));
        trialOutcome.SetException(new InvalidOperationException("still down"));
        await Assert.ThrowsAsync<StorageWriteException>(() => trial);
        Assert.Equal(4, _store.Calls);
        Assert.Equal(CircuitState.Open, _resilience.StatusOf(GcsA).State);
        Assert.Contains("still down", (await Assert.ThrowsAsync<StorageUnavailableException>(() => WriteAsync(GcsA))).Message);

        _clock.Now += TimeSpan.FromSeconds(31);
        _store.Next = (_, _) => Task.FromResult("stored");
        Assert.Equal("stored", await WriteAsync(GcsA));
        Assert.Equal(CircuitState.Closed, _resilience.StatusOf(GcsA).State);
        Assert.Null(_resilience.StatusOf(GcsA).LastError);
        Assert.Equal("stored", await WriteAsync(GcsA));

        Assert.Equal(["open", "half_open", "open", "half_open", "closed"], _observer.Changes.Select(c => c.Wire));
    }

    [Fact]
    public async Task A_passed_probe_closes_an_open_circuit_at_once()
    {
        for (var i = 0; i < 3; i++) await FailAsync(S3A, "down");
        Assert.Equal(CircuitState.Open, _resilience.StatusOf(S3A).State);

        await _resilience.ConfirmWorkingAsync(S3A);

        Assert.Equal(CircuitState.Closed, _resilience.StatusOf(S3A).State);
        Assert.Equal("closed", _observer.Changes[^1].Wire);
        _store.Next = (_, _) => Task.FromResult("stored");
        Assert.Equal("stored", await WriteAsync(S3A));
    }

    [Fact]
    public async Task A_file_made_by_other_work_fails_its_write_without_counting_against_the_circuit()
    {
        await FailAsync(S3A, "down");
        await FailAsync(S3A, "down");
        _store.Next = (_, _) => ScriptedStore.Fail(new ObjectConflictException("sub/x.jpg"));
        for (var i = 0; i < 5; i++)
        {
            var error = await Assert.ThrowsAsync<StorageWriteException>(() => WriteAsync(S3A));
            Assert.False(error.IsTransient);
            Assert.Equal("storage s3 'a' failed writing x.jpg: a file named x.jpg already exists with other content; stored files are never replaced",
                error.Message);
        }

        // The backend answered each time: the run of failures before ended, and none of these counts.
        await FailAsync(S3A, "down");
        await FailAsync(S3A, "down");
        Assert.Equal(CircuitState.Closed, _resilience.StatusOf(S3A).State);
        Assert.Empty(_observer.Changes);
    }

    private async Task<string> WriteAsync(StorageTarget target) =>
        (await _resilience.PutAsync(target, _store, "sub/x.jpg", new byte[] { 1, 2, 3 }, "image/jpeg", null, CancellationToken.None)).Location;

    private Task<StorageWriteException> FailAsync(StorageTarget target, string error)
    {
        _store.Next = (_, _) => ScriptedStore.Fail(new InvalidOperationException(error));
        return Assert.ThrowsAsync<StorageWriteException>(() => WriteAsync(target));
    }
}
