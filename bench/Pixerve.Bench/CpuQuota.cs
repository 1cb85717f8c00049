using System.Globalization;

namespace Pixerve.Bench;

/// <summary>
/// A cgroup with a CPU quota for one process (<c>--cpu-per-silo</c>): one machine then simulates several small ones,
/// each silo getting at most that many CPUs per period whatever else is idle. cgroup v1 (the <c>cpu</c> controller's
/// own hierarchy, <c>cpu.cfs_quota_us</c> over <c>cpu.cfs_period_us</c>) or v2 (<c>cpu.max</c> in the unified
/// hierarchy); the cgroup is removed when disposed, once its process has exited.
/// </summary>
internal sealed class CpuQuota : IDisposable
{
    private const int PeriodMicroseconds = 100_000;
    private const string V1Root = "/sys/fs/cgroup/cpu";
    private const string V2Root = "/sys/fs/cgroup";

    private readonly string _directory;
    private readonly bool _v1;

    private CpuQuota(string directory, bool v1)
    {
        _directory = directory;
        _v1 = v1;
    }

    public string Path => _directory;

    /// <summary>Why no quota can be set here, or null when one can: checked before any cluster starts.</summary>
    public static string? Unavailable()
    {
        if (!OperatingSystem.IsLinux()) return "CPU quotas need Linux cgroups";
        if (V1Writable()) return null;
        if (V2Writable()) return null;
        return $"cannot set a CPU quota: neither {V1Root} (cgroup v1, cpu controller) nor {V2Root} (cgroup v2 with the cpu controller " +
               "in cgroup.subtree_control) is writable; run as root, or without --cpu-per-silo";
    }

    /// <summary>A new cgroup named <paramref name="name"/> limited to <paramref name="cpus"/> CPUs.</summary>
    public static CpuQuota Create(string name, double cpus)
    {
        var quota = ((long)Math.Round(cpus * PeriodMicroseconds)).ToString(CultureInfo.InvariantCulture);
        var period = PeriodMicroseconds.ToString(CultureInfo.InvariantCulture);
        if (V1Writable())
        {
            var directory = Directory.CreateDirectory(System.IO.Path.Combine(V1Root, name)).FullName;
            File.WriteAllText(System.IO.Path.Combine(directory, "cpu.cfs_period_us"), period);
            File.WriteAllText(System.IO.Path.Combine(directory, "cpu.cfs_quota_us"), quota);
            return new CpuQuota(directory, v1: true);
        }

        if (V2Writable())
        {
            var directory = Directory.CreateDirectory(System.IO.Path.Combine(V2Root, name)).FullName;
            File.WriteAllText(System.IO.Path.Combine(directory, "cpu.max"), $"{quota} {period}");
            return new CpuQuota(directory, v1: false);
        }

        throw new InvalidOperationException(Unavailable());
    }

    /// <summary>Moves process <paramref name="pid"/> (all its threads) into the cgroup.</summary>
    public void Add(int pid) => File.WriteAllText(System.IO.Path.Combine(_directory, "cgroup.procs"), pid.ToString(CultureInfo.InvariantCulture));

    /// <summary>Periods in which the process wanted more than its quota, and the time it was held back (s).</summary>
    public (long ThrottledPeriods, double ThrottledSeconds) Throttling()
    {
        var stat = File.ReadAllLines(System.IO.Path.Combine(_directory, "cpu.stat"))
            .Select(l => l.Split(' ')).Where(p => p.Length == 2).ToDictionary(p => p[0], p => long.Parse(p[1], CultureInfo.InvariantCulture));
        // v1: throttled_time in ns; v2: throttled_usec.
        var seconds = _v1 ? stat.GetValueOrDefault("throttled_time") / 1e9 : stat.GetValueOrDefault("throttled_usec") / 1e6;
        return (stat.GetValueOrDefault("nr_throttled"), seconds);
    }

    /// <summary>Removes the cgroup; its process must have exited (a cgroup with members cannot be removed), so retry briefly.</summary>
    public void Dispose()
    {
        for (var attempt = 0; attempt < 50; attempt++)
        {
            try
            {
                Directory.Delete(_directory);
                return;
            }
            catch (DirectoryNotFoundException)
            {
                return;
            }
            catch (IOException)
            {
                Thread.Sleep(100);
            }
        }

        Console.Error.WriteLine($"could not remove the cgroup {_directory} (a process still in it?): remove it with rmdir");
    }

    private static bool V1Writable() => File.Exists(System.IO.Path.Combine(V1Root, "cpu.cfs_quota_us")) && Writable(V1Root);

    /// <summary>The unified hierarchy, with the cpu controller handed down to its children.</summary>
    private static bool V2Writable()
    {
        var controllers = System.IO.Path.Combine(V2Root, "cgroup.subtree_control");
        return File.Exists(System.IO.Path.Combine(V2Root, "cgroup.controllers")) && File.Exists(controllers) &&
               File.ReadAllText(controllers).Split(' ', '\n').Contains("cpu") && Writable(V2Root);
    }

    private static bool Writable(string directory)
    {
        var probe = System.IO.Path.Combine(directory, $"pixerve-bench-probe-{Environment.ProcessId}");
        try
        {
            Directory.CreateDirectory(probe);
            Directory.Delete(probe);
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }
}
