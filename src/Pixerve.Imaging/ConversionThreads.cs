using System.Collections.Concurrent;

namespace Pixerve.Imaging;

/// <summary>
/// The silo's CPU budget for image work: a fixed set of dedicated threads, each running one decode, resize or
/// encode at a time, so however many conversions run at once and however many outputs each has, image work never
/// occupies more than <see cref="Count"/> cores. The threads run at a raised nice value so that a busy silo
/// still answers its grain calls (and a gateway on the same machine its uploads) promptly. One set per distinct
/// configuration in a process: converters with the same options share it.
/// A step may also run <see cref="RunWide{T}">wide</see>: when its conversion is the only one in flight, it waits
/// for the other threads to finish their steps, holds them idle and lets libvips thread the step across all of
/// them (libaom threads an AV1 encode from libvips' concurrency), so one image on an idle silo finishes sooner
/// and the budget still holds.
/// </summary>
public sealed class ConversionThreads : TaskScheduler
{
    private static readonly ConcurrentDictionary<(int, int), ConversionThreads> Shared = new();

    private readonly BlockingCollection<Task> _queue = new();

    /// <summary>Guards <see cref="_executing"/> and <see cref="_wide"/>; threads wait on it for a wide step to end.</summary>
    private readonly object _gate = new();

    private int _executing;
    private bool _wide;
    private int _conversions;

    private ConversionThreads(int count, int nice)
    {
        Count = count;
        Nice = nice;
        for (var i = 0; i < count; i++)
        {
            var thread = new Thread(Work) { IsBackground = true, Name = $"pixerve-convert-{i}" };
            thread.Start();
        }
    }

    /// <summary>How many threads run image work at once.</summary>
    public int Count { get; }

    /// <summary>The nice value the threads asked for (0: the process's own priority).</summary>
    public int Nice { get; }

    public override int MaximumConcurrencyLevel => Count;

    /// <summary>The shared set for <paramref name="options"/>.</summary>
    public static ConversionThreads For(ImagingOptions options) =>
        Shared.GetOrAdd((options.EffectiveThreads, Math.Clamp(options.ThreadNice, 0, 19)), key => new ConversionThreads(key.Item1, key.Item2));

    /// <summary>Runs <paramref name="work"/> on one of the threads.</summary>
    public Task<T> Run<T>(Func<T> work) =>
        Task.Factory.StartNew(work, CancellationToken.None, TaskCreationOptions.DenyChildAttach, this);

    /// <summary>Runs <paramref name="work"/> on one of the threads once <paramref name="after"/> has finished (whatever its outcome).</summary>
    public Task<T> After<T>(Task after, Func<T> work) =>
        after.ContinueWith(_ => work(), CancellationToken.None, TaskContinuationOptions.DenyChildAttach, this);

    /// <summary>Conversions in flight on these threads (see <see cref="EnterConversion"/>).</summary>
    public int ConversionsInFlight => Volatile.Read(ref _conversions);

    /// <summary>Counts a conversion in flight until the result is disposed: wide steps need it to be the only one.</summary>
    public IDisposable EnterConversion()
    {
        Interlocked.Increment(ref _conversions);
        return new ConversionLease(this);
    }

    /// <summary>
    /// Runs <paramref name="work"/>, a step already on one of the threads, across all of them when its conversion is
    /// the only one in flight: the other threads finish their current steps and start no new one until it is done.
    /// Otherwise (or with one thread) it runs on this thread alone, like any step. <paramref name="work"/> is told
    /// how many threads it runs on.
    /// </summary>
    public T RunWide<T>(Func<int, T> work)
    {
        if (!TryHoldEveryThread()) return work(1);
        try
        {
            LibVips.SetConcurrency(Count);
            return work(Count);
        }
        finally
        {
            LibVips.SetConcurrency(1);
            lock (_gate)
            {
                _wide = false;
                Monitor.PulseAll(_gate);
            }
        }
    }

    /// <summary>Called on one of the threads: waits for the others' current steps once it is sure to be alone.</summary>
    private bool TryHoldEveryThread()
    {
        lock (_gate)
        {
            if (Count == 1 || _wide || Volatile.Read(ref _conversions) != 1) return false;
            _wide = true;
            while (_executing > 1) Monitor.Wait(_gate);
            return true;
        }
    }

    private void Work()
    {
        ThreadNice.TrySet(Nice);
        // libvips starts its worker threads (and libaom its own) from the threads that first use it; started from
        // here they inherit the nice value too.
        LibVips.EnsureConfigured();
        foreach (var task in _queue.GetConsumingEnumerable())
        {
            lock (_gate)
            {
                while (_wide) Monitor.Wait(_gate);
                _executing++;
            }

            try
            {
                TryExecuteTask(task);
            }
            finally
            {
                lock (_gate)
                {
                    _executing--;
                    Monitor.PulseAll(_gate);
                }
            }
        }
    }

    private sealed class ConversionLease(ConversionThreads threads) : IDisposable
    {
        private int _disposed;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 0) Interlocked.Decrement(ref threads._conversions);
        }
    }

    protected override void QueueTask(Task task) => _queue.Add(task);

    /// <summary>Never inline: a task run on a caller's thread would escape both the budget and the priority.</summary>
    protected override bool TryExecuteTaskInline(Task task, bool taskWasPreviouslyQueued) => false;

    protected override IEnumerable<Task> GetScheduledTasks() => _queue.ToArray();
}
