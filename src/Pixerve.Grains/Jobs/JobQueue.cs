using Microsoft.Extensions.Options;

namespace Pixerve.Grains.Jobs;

/// <summary>
/// This silo's pending jobs, highest priority first, then in arrival order. It holds only job ids: the
/// job's state is persisted by its grain, and a job lost with this queue is re-queued when the staging sweep asks about it.
/// </summary>
public sealed class JobQueue(IOptions<JobOptions> options)
{
    private readonly PriorityQueue<string, (int NegativePriority, long Sequence)> _pending = new();
    private readonly HashSet<string> _members = [];
    private readonly SemaphoreSlim _available = new(0);
    private readonly Lock _lock = new();
    private long _sequence;
    private int _running;
    private TaskCompletionSource _resumed = NewResumed(completed: true);

    public int Depth
    {
        get { lock (_lock) return _pending.Count; }
    }

    public int Running => Volatile.Read(ref _running);

    /// <summary>Pending jobs this silo accepts before new uploads are turned away with 503.</summary>
    public int Capacity { get; set; } = options.Value.MaxQueueDepth;

    public bool IsFull => Depth >= Capacity;

    /// <summary>True once the silo is stopping: nothing more is queued or handed out here.</summary>
    public bool IsClosed { get; private set; }

    /// <summary>False when the job is already waiting here.</summary>
    public bool Enqueue(string jobId, int priority)
    {
        lock (_lock)
        {
            if (IsClosed || !_members.Add(jobId)) return false;
            _pending.Enqueue(jobId, (-priority, _sequence++));
        }

        _available.Release();
        return true;
    }

    public async Task<string> DequeueAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            await _resumed.Task.WaitAsync(cancellationToken);
            await _available.WaitAsync(cancellationToken);
            lock (_lock)
            {
                if (_resumed.Task.IsCompleted && _pending.TryDequeue(out var hash, out _))
                {
                    _members.Remove(hash);
                    _running++;
                    return hash;
                }
            }

            // Paused between the two waits: give the permit back and wait for resume.
            _available.Release();
        }
    }

    /// <summary>Stops the queue for good (the silo is stopping) and answers the jobs that were waiting in it.</summary>
    public IReadOnlyList<string> Close()
    {
        lock (_lock)
        {
            IsClosed = true;
            var waiting = new List<string>(_pending.Count);
            while (_pending.TryDequeue(out var jobId, out _)) waiting.Add(jobId);
            _members.Clear();
            return waiting;
        }
    }

    public void Done()
    {
        lock (_lock) _running--;
    }

    /// <summary>Stops handing out jobs (operators draining a silo; tests ordering a queue).</summary>
    public void Pause()
    {
        lock (_lock)
        {
            if (_resumed.Task.IsCompleted) _resumed = NewResumed(completed: false);
        }
    }

    public void Resume()
    {
        lock (_lock) _resumed.TrySetResult();
    }

    private static TaskCompletionSource NewResumed(bool completed)
    {
        var source = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        if (completed) source.SetResult();
        return source;
    }
}
