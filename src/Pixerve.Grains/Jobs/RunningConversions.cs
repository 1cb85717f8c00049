using System.Collections.Concurrent;

namespace Pixerve.Grains.Jobs;

/// <summary>
/// How a worker stops the conversion it asked for. The converter is a stateless worker, so it runs in this silo's
/// process beside the worker that calls it; Orleans' own cancellation of a grain call is addressed to the grain id,
/// which for a stateless worker may land on another of its activations. The worker registers its cancellation under
/// the run's correlation id, and the converter running that request takes it from here.
/// </summary>
public sealed class RunningConversions
{
    private readonly ConcurrentDictionary<string, CancellationToken> _running = new(StringComparer.Ordinal);

    /// <summary>Until disposed, <see cref="For"/> of <paramref name="correlationId"/> answers <paramref name="cancellation"/>.</summary>
    public IDisposable Register(string correlationId, CancellationToken cancellation)
    {
        _running[correlationId] = cancellation;
        return new Registration(this, correlationId);
    }

    /// <summary>The cancellation of the run with this id; none for a run no worker here registered.</summary>
    public CancellationToken For(string? correlationId) =>
        correlationId is not null && _running.TryGetValue(correlationId, out var cancellation) ? cancellation : CancellationToken.None;

    private sealed class Registration(RunningConversions owner, string correlationId) : IDisposable
    {
        public void Dispose() => owner._running.TryRemove(correlationId, out _);
    }
}
