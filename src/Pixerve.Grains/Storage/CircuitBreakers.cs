using System.Collections.Concurrent;
using Microsoft.Extensions.Options;

namespace Pixerve.Grains.Storage;

/// <summary>Bound from <c>Pixerve:Storage:Resilience</c>.</summary>
public sealed class StorageResilienceOptions
{
    public const string Section = "Pixerve:Storage:Resilience";

    /// <summary>Tries of one write before it counts as failed (the first try included).</summary>
    public int Attempts { get; set; } = 4;
    public TimeSpan FirstRetryDelay { get; set; } = TimeSpan.FromMilliseconds(250);
    /// <summary>Failed operations in a row that open a credential's circuit.</summary>
    public int FailuresToOpen { get; set; } = 3;
    /// <summary>How long an open circuit fails calls at once before it lets one trial through.</summary>
    public TimeSpan OpenFor { get; set; } = TimeSpan.FromSeconds(30);
}

public enum CircuitState
{
    Closed,
    Open,
    HalfOpen,
}

/// <summary>
/// One circuit per backend and credential on this silo: after repeated failures a dead backend fails jobs at once,
/// naming itself, instead of making every job wait through its retries.
/// </summary>
public sealed class CircuitBreakers(IOptions<StorageResilienceOptions> options, TimeProvider clock)
{
    private readonly ConcurrentDictionary<string, Circuit> _circuits = new(StringComparer.Ordinal);

    /// <summary>Null when the call may go ahead; otherwise why it may not.</summary>
    public string? TryEnter(string name)
    {
        var circuit = _circuits.GetOrAdd(name, _ => new Circuit());
        lock (circuit)
        {
            if (circuit.State == CircuitState.Closed) return null;
            var now = clock.GetUtcNow();
            if (now < circuit.RetryAt)
                return $"circuit open after {circuit.Failures} failures in a row, next try after {circuit.RetryAt:HH:mm:ss}Z (last error: {circuit.LastError})";
            // Half-open: this caller is the trial; the others keep failing fast until it reports.
            circuit.State = CircuitState.HalfOpen;
            circuit.RetryAt = now + options.Value.OpenFor;
            return null;
        }
    }

    /// <summary>Closes the circuit; true when it was not closed.</summary>
    public bool Succeeded(string name)
    {
        var circuit = _circuits.GetOrAdd(name, _ => new Circuit());
        bool changed;
        lock (circuit)
        {
            changed = circuit.State != CircuitState.Closed;
            circuit.State = CircuitState.Closed;
            circuit.Failures = 0;
            circuit.LastError = null;
        }

        return changed;
    }

    /// <summary>Counts a failed operation; true when this opened the circuit.</summary>
    public bool Failed(string name, string error)
    {
        var circuit = _circuits.GetOrAdd(name, _ => new Circuit());
        bool opened;
        lock (circuit)
        {
            circuit.Failures++;
            circuit.LastError = error;
            opened = circuit.State == CircuitState.HalfOpen ||
                     (circuit.State == CircuitState.Closed && circuit.Failures >= options.Value.FailuresToOpen);
            if (opened)
            {
                circuit.State = CircuitState.Open;
                circuit.RetryAt = clock.GetUtcNow() + options.Value.OpenFor;
            }
        }

        return opened;
    }

    public CircuitState StateOf(string name) => _circuits.TryGetValue(name, out var circuit) ? circuit.State : CircuitState.Closed;

    private sealed class Circuit
    {
        public CircuitState State { get; set; }
        public int Failures { get; set; }
        public DateTimeOffset RetryAt { get; set; }
        public string? LastError { get; set; }
    }
}
