using System.ComponentModel.DataAnnotations;

namespace Pixerve.Gateway.Jobs;

/// <summary>Bound from <c>Pixerve:Limits</c>: how many <c>/events</c> streams a gateway keeps open.</summary>
public sealed class EventStreamOptions
{
    public const string Section = "Pixerve:Limits";

    /// <summary>Open streams per token subject (<c>sub</c>, else per token; the admin token is one subject): 429 beyond.</summary>
    [Range(1, 100_000)]
    public int MaxEventStreamsPerSubject { get; set; } = 4;

    /// <summary>Open streams on this gateway in all: 429 beyond.</summary>
    [Range(1, 1_000_000)]
    public int MaxEventStreams { get; set; } = 1000;
}
