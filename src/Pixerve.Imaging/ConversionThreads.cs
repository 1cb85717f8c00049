using System.Collections.Concurrent;

namespace Pixerve.Imaging;

/// <summary>
/// The silo's CPU budget for image work: a fixed set of dedicated threads, each running one decode, resize or
/// encode at a time, so however many conversions run at once and however many outputs each has, image work never
/// occupies more than <see cref="Count"/> cores. The threads run at a raised nice value so that a busy silo
/// still answers its grain calls (and a gateway on the same machine its uploads) promptly. One set per distinct
/// configuration in a process: converters with the same options share it.
/// </summary>
public sealed class ConversionThreads : TaskScheduler
{
    private static readonly ConcurrentDictionary<(int, int), ConversionThreads> Shared = new();

    private readonly BlockingCollection<Task> _queue = new();

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

    private void Work()
    {
        ThreadNice.TrySet(Nice);
        // libvips starts its worker threads (and libaom its own) from the threads that first use it; started from
        // here they inherit the nice value too.
        LibVips.EnsureConfigured();
        foreach (var task in _queue.GetConsumingEnumerable()) TryExecuteTask(task);
    }

    protected override void QueueTask(Task task) => _queue.Add(task);

    /// <summary>Never inline: a task run on a caller's thread would escape both the budget and the priority.</summary>
    protected override bool TryExecuteTaskInline(Task task, bool taskWasPreviouslyQueued) => false;

    protected override IEnumerable<Task> GetScheduledTasks() => _queue.ToArray();
}
