using System.Globalization;
using System.Runtime.InteropServices;

namespace Pixerve.Bench;

/// <summary>
/// CPU time from <c>/proc</c>: utime + stime of a process (its own threads, live and exited; children excluded), and
/// of each of its threads with their nice value.
/// </summary>
internal static partial class ProcessCpu
{
    private const int ClockTicksName = 2; // _SC_CLK_TCK

    private static readonly double TicksPerSecond = OperatingSystem.IsLinux() ? sysconf(ClockTicksName) : 100;

    /// <summary>User + system CPU seconds of process <paramref name="pid"/> (this one when null); 0 once it is gone.</summary>
    public static double Seconds(int? pid = null)
    {
        var fields = StatFields($"/proc/{(pid is { } id ? id.ToString(CultureInfo.InvariantCulture) : "self")}/stat");
        return fields is null ? 0 : Cpu(fields);
    }

    /// <summary>
    /// CPU seconds of <paramref name="pid"/> and every process under it: the live descendants' own, and the root's
    /// children that exited (cutime + cstime): a PostgreSQL server's backends, one per connection.
    /// </summary>
    public static double TreeSeconds(int pid)
    {
        var children = new Dictionary<int, List<int>>();
        foreach (var directory in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(directory), out var id) || StatFields(Path.Combine(directory, "stat")) is not { } fields) continue;
            var parent = int.Parse(fields[1], CultureInfo.InvariantCulture);
            if (!children.TryGetValue(parent, out var list)) children[parent] = list = [];
            list.Add(id);
        }

        if (StatFields($"/proc/{pid.ToString(CultureInfo.InvariantCulture)}/stat") is not { } root) return 0;
        var seconds = Cpu(root) + (long.Parse(root[13], CultureInfo.InvariantCulture) + long.Parse(root[14], CultureInfo.InvariantCulture)) / TicksPerSecond;
        var pending = new Stack<int>(children.GetValueOrDefault(pid) ?? []);
        while (pending.TryPop(out var child))
        {
            seconds += Seconds(child);
            foreach (var grandchild in children.GetValueOrDefault(child) ?? []) pending.Push(grandchild);
        }

        return seconds;
    }

    /// <summary>Busy CPU seconds of the whole machine, all cores (<c>/proc/stat</c>: everything but idle and iowait).</summary>
    public static double MachineBusySeconds()
    {
        var fields = File.ReadLines("/proc/stat").First().Split(' ', StringSplitOptions.RemoveEmptyEntries).Skip(1)
            .Take(8).Select(f => long.Parse(f, CultureInfo.InvariantCulture)).ToArray();
        return (fields.Sum() - fields[3] - fields[4]) / TicksPerSecond;
    }

    /// <summary>
    /// CPU seconds of each thread of <paramref name="pid"/> running at a nice value above its main thread's, by thread
    /// id: in a silo, the conversion threads (niced at start, <c>Pixerve:Imaging:ThreadNice</c>) and the libvips and
    /// libaom threads they start, which inherit the value. Nothing else in a silo lowers its priority.
    /// </summary>
    public static Dictionary<int, double> NicedThreadSeconds(int pid)
    {
        var threads = new Dictionary<int, double>();
        var tasks = $"/proc/{pid}/task";
        if (StatFields(Path.Combine(tasks, pid.ToString(CultureInfo.InvariantCulture), "stat")) is not { } main) return threads;
        var mainNice = int.Parse(main[16], CultureInfo.InvariantCulture);
        foreach (var task in Directory.EnumerateDirectories(tasks))
        {
            if (StatFields(Path.Combine(task, "stat")) is not { } fields) continue;
            if (int.Parse(fields[16], CultureInfo.InvariantCulture) <= mainNice) continue;
            threads[int.Parse(Path.GetFileName(task), CultureInfo.InvariantCulture)] = Cpu(fields);
        }

        return threads;
    }

    /// <summary>The fields after the command name (which is in parentheses and may hold spaces): [0] is field 3, the state.</summary>
    private static string[]? StatFields(string path)
    {
        try
        {
            var stat = File.ReadAllText(path);
            return stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null; // the process or thread exited
        }
    }

    /// <summary>Fields 14 and 15: utime and stime in clock ticks.</summary>
    private static double Cpu(string[] fields) =>
        (long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture)) / TicksPerSecond;

    [LibraryImport("libc")]
    private static partial long sysconf(int name);
}
