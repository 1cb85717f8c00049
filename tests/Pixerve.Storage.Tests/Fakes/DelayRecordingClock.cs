namespace Pixerve.Storage.Tests.Fakes;

/// <summary>Records every delay asked of it and lets it pass at once, so the retry schedule can be read without waiting it out.</summary>
public sealed class DelayRecordingClock : TimeProvider
{
    private readonly List<TimeSpan> _delays = [];

    public IReadOnlyList<TimeSpan> Delays
    {
        get
        {
            lock (_delays) return _delays.ToList();
        }
    }

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        lock (_delays) _delays.Add(dueTime);
        return base.CreateTimer(callback, state, TimeSpan.Zero, period);
    }
}
