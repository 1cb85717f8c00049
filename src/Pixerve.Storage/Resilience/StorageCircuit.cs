using System.Globalization;
using Polly;
using Polly.CircuitBreaker;

namespace Pixerve.Storage.Resilience;

/// <summary>
/// One target's pipeline and what Polly's breaker does not keep for us: the failed writes in a row and the error
/// that opened it, which the refusal text and the health report carry.
/// </summary>
internal sealed class StorageCircuit(StorageTarget target)
{
    private int _failuresInARow;
    private volatile string? _lastError;
    private volatile string? _lastSafeError;

    public StorageTarget Target => target;

    /// <summary>Set once, right after construction: the pipeline's callbacks need this circuit first.</summary>
    public ResiliencePipeline Pipeline { get; set; } = ResiliencePipeline.Empty;

    public CircuitBreakerStateProvider StateProvider { get; } = new();

    /// <summary>Closes the circuit and clears Polly's failure counts (a success, a passed probe).</summary>
    public CircuitBreakerManualControl ManualControl { get; } = new();

    public CircuitState State => StateProvider.CircuitState;

    public string? LastError
    {
        get => _lastError;
        set => _lastError = value;
    }

    /// <summary><see cref="LastError"/> as a job token holder may read it, for the refusals that fail their jobs.</summary>
    public string? LastSafeError
    {
        get => _lastSafeError;
        set => _lastSafeError = value;
    }

    public DateTimeOffset ChangedAt { get; set; }

    public int FailuresInARow => Volatile.Read(ref _failuresInARow);

    public void Failed() => Interlocked.Increment(ref _failuresInARow);

    /// <summary>Ends a run of failures; true when there was one.</summary>
    public bool ResetFailures() => Interlocked.Exchange(ref _failuresInARow, 0) > 0;

    /// <summary>Why a write is refused while the circuit is open (or half-open, with its one trial under way), naming <paramref name="lastError"/>.</summary>
    public string Refusal(DateTimeOffset retryAt, string? lastError) => string.Create(CultureInfo.InvariantCulture,
        $"circuit open after {FailuresInARow} failures in a row, next try after {retryAt:HH:mm:ss}Z (last error: {lastError})");
}
