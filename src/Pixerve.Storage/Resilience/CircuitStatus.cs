using Polly.CircuitBreaker;

namespace Pixerve.Storage.Resilience;

/// <summary>A circuit's state as this silo sees it; what <c>GET /health</c> shows per credential.</summary>
/// <param name="LastError">The job error of the write that opened it; null once it closes.</param>
public sealed record CircuitStatus(StorageTarget Target, CircuitState State, string? LastError, DateTimeOffset ChangedAt)
{
    /// <summary><c>closed</c>, <c>half_open</c> or <c>open</c>, as the health report spells them.</summary>
    public string Wire => State switch
    {
        CircuitState.Closed => "closed",
        CircuitState.HalfOpen => "half_open",
        _ => "open",
    };
}
