using System.Collections.Concurrent;
using Pixerve.Storage.Resilience;

namespace Pixerve.Storage.Tests.Fakes;

/// <summary>What the health grain would have been told, in order. Polly calls it from its own thread.</summary>
public sealed class RecordingObserver : ICircuitObserver
{
    private readonly ConcurrentQueue<CircuitStatus> _changes = new();

    public IReadOnlyList<CircuitStatus> Changes => _changes.ToList();

    public void Changed(CircuitStatus status) => _changes.Enqueue(status);
}
