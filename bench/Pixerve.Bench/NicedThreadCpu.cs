namespace Pixerve.Bench;

/// <summary>
/// A silo's conversion CPU, measured in the silo: the CPU time of its threads running at a raised nice value, which
/// are the conversion threads (<c>ConversionThreads</c> nices them when they start) and the libvips and libaom threads
/// started from them (a new thread inherits its creator's nice value), niced above the silo's main thread; the grain
/// scheduler, Orleans messaging, the storage clients and the GC run at the main thread's. The bench must therefore not
/// run under <c>nice</c> itself (the silos inherit it, and threads already at nice 10 are not told apart by being set to 10):
/// then no thread is niced above the main one and the conversion CPU is reported as not measured. A thread's time is read from <c>/proc/&lt;pid&gt;/task</c> while it lives,
/// so <see cref="Sample"/> runs every second: a thread that exits between two samples loses at most its last second.
/// </summary>
internal sealed class NicedThreadCpu
{
    private readonly IReadOnlyList<int> _pids;
    private readonly Dictionary<(int Pid, int Tid), double> _atStart = [];
    private readonly Dictionary<(int Pid, int Tid), double> _lastSeen = [];
    private readonly object _gate = new();

    public NicedThreadCpu(IReadOnlyList<int> pids)
    {
        _pids = pids;
        foreach (var pid in pids)
        foreach (var (tid, seconds) in ProcessCpu.NicedThreadSeconds(pid))
            _atStart[(pid, tid)] = seconds;
    }

    public void Sample()
    {
        foreach (var pid in _pids)
        {
            var threads = ProcessCpu.NicedThreadSeconds(pid);
            lock (_gate)
                foreach (var (tid, seconds) in threads)
                    _lastSeen[(pid, tid)] = seconds;
        }
    }

    /// <summary>CPU seconds of the niced threads since construction, per silo process, in the order given.</summary>
    public IReadOnlyList<double> SecondsBySilo()
    {
        lock (_gate)
            return _pids.Select(pid => _lastSeen.Where(t => t.Key.Pid == pid).Sum(t => t.Value - _atStart.GetValueOrDefault(t.Key))).ToList();
    }
}
