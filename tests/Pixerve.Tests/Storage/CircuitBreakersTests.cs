using Microsoft.Extensions.Options;
using Pixerve.Grains.Storage;

namespace Pixerve.Tests.Storage;

public sealed class CircuitBreakersTests
{
    private sealed class ManualClock : TimeProvider
    {
        public DateTimeOffset Now { get; set; } = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
        public override DateTimeOffset GetUtcNow() => Now;
    }

    private readonly ManualClock _clock = new();
    private readonly CircuitBreakers _breakers;

    public CircuitBreakersTests() =>
        _breakers = new CircuitBreakers(Options.Create(new StorageResilienceOptions { FailuresToOpen = 3, OpenFor = TimeSpan.FromSeconds(30) }), _clock);

    [Fact]
    public void Opens_after_the_configured_failures_in_a_row_and_refuses_until_the_cool_down_ends()
    {
        Assert.False(_breakers.Failed("s3:a", "boom 1"));
        Assert.False(_breakers.Failed("s3:a", "boom 2"));
        Assert.Null(_breakers.TryEnter("s3:a"));
        Assert.True(_breakers.Failed("s3:a", "boom 3"));

        var refusal = _breakers.TryEnter("s3:a");
        Assert.NotNull(refusal);
        Assert.Contains("boom 3", refusal);
        Assert.Equal(CircuitState.Open, _breakers.StateOf("s3:a"));
        // Other credentials are not affected.
        Assert.Null(_breakers.TryEnter("s3:b"));
    }

    [Fact]
    public void A_success_resets_the_count()
    {
        _breakers.Failed("sftp:a", "x");
        _breakers.Failed("sftp:a", "x");
        Assert.False(_breakers.Succeeded("sftp:a"));
        Assert.False(_breakers.Failed("sftp:a", "x"));
        Assert.Equal(CircuitState.Closed, _breakers.StateOf("sftp:a"));
    }

    [Fact]
    public void After_the_cool_down_one_trial_goes_through_and_its_outcome_closes_or_reopens_the_circuit()
    {
        for (var i = 0; i < 3; i++) _breakers.Failed("gcs:a", "down");
        _clock.Now += TimeSpan.FromSeconds(31);

        Assert.Null(_breakers.TryEnter("gcs:a"));
        Assert.Equal(CircuitState.HalfOpen, _breakers.StateOf("gcs:a"));
        Assert.NotNull(_breakers.TryEnter("gcs:a"));
        Assert.True(_breakers.Failed("gcs:a", "still down"));
        Assert.Contains("still down", _breakers.TryEnter("gcs:a"));

        _clock.Now += TimeSpan.FromSeconds(31);
        Assert.Null(_breakers.TryEnter("gcs:a"));
        Assert.True(_breakers.Succeeded("gcs:a"));
        Assert.Equal(CircuitState.Closed, _breakers.StateOf("gcs:a"));
        Assert.Null(_breakers.TryEnter("gcs:a"));
    }
}
