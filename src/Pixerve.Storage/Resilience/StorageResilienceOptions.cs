namespace Pixerve.Storage.Resilience;

/// <summary>Bound from <c>Pixerve:Storage:Resilience</c>; read when a credential's pipeline is first built.</summary>
public sealed class StorageResilienceOptions
{
    public const string Section = "Pixerve:Storage:Resilience";

    /// <summary>Tries of one write before it counts as failed (the first try included).</summary>
    public int Attempts { get; set; } = 4;

    /// <summary>The median delay before the first retry; each later one doubles it, with jitter so silos do not retry in step.</summary>
    public TimeSpan FirstRetryDelay { get; set; } = TimeSpan.FromMilliseconds(250);

    /// <summary>Failed writes in a row that open a credential's circuit (at least 2: Polly's minimum throughput).</summary>
    public int FailuresToOpen { get; set; } = 3;

    /// <summary>How long an open circuit fails calls at once before it lets one trial through (at least 0.5 s).</summary>
    public TimeSpan OpenFor { get; set; } = TimeSpan.FromSeconds(30);
}
