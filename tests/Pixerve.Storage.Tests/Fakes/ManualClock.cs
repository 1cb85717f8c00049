namespace Pixerve.Storage.Tests.Fakes;

/// <summary>A clock the test moves by hand, for the breaker's cool-down; timers (retry delays) still run on real time.</summary>
public sealed class ManualClock : TimeProvider
{
    public DateTimeOffset Now { get; set; } = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    public override DateTimeOffset GetUtcNow() => Now;
}
