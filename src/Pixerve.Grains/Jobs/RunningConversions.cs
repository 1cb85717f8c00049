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
    /// <summary>Job id → workers holding it (two for a moment: one reporting a broken run, one taking it again).</summary>
    private readonly ConcurrentDictionary<string, int> _jobs = new(StringComparer.Ordinal);

    /// <summary>
    /// A worker holds the job's run until disposed, from before it asks the job to start to after it reported: while
    /// held, <see cref="IsRunning"/> is true, and the job's grain neither queues it again nor hands it elsewhere.
    /// </summary>
    public IDisposable Hold(string jobId)
    {
        _jobs.AddOrUpdate(jobId, 1, (_, holders) => holders + 1);
        return new Release(() =>
        {
            // Only the last holder's release removes the entry; the same id taken again meanwhile keeps it.
            if (_jobs.AddOrUpdate(jobId, 0, (_, holders) => holders - 1) <= 0) _jobs.TryRemove(new KeyValuePair<string, int>(jobId, 0));
        });
    }

    /// <summary>Until disposed, <see cref="For"/> of <paramref name="correlationId"/> answers <paramref name="cancellation"/>.</summary>
    public IDisposable Register(string correlationId, CancellationToken cancellation)
    {
        _running[correlationId] = cancellation;
        return new Release(() => _running.TryRemove(correlationId, out _));
    }

    /// <summary>True while a worker of this silo runs the job or reports its run.</summary>
    public bool IsRunning(string jobId) => _jobs.ContainsKey(jobId);

    /// <summary>The cancellation of the run with this id; none for a run no worker here registered.</summary>
    public CancellationToken For(string? correlationId) =>
        correlationId is not null && _running.TryGetValue(correlationId, out var cancellation) ? cancellation : CancellationToken.None;

    private sealed class Release(Action release) : IDisposable
    {
        public void Dispose() => release();
    }
}
