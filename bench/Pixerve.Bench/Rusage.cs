using System.Runtime.InteropServices;

namespace Pixerve.Bench;

/// <summary>
/// Peak resident memory from getrusage(2): of this process, or of the largest child it has waited for.
/// A row runs in its own worker process so neither mixes with another row's.
/// </summary>
public static partial class Rusage
{
    private const int Self = 0;
    private const int Children = -1;

    public static long PeakSelfKb() => MaxRss(Self);

    public static long PeakChildKb() => MaxRss(Children);

    private static long MaxRss(int who)
    {
        if (!OperatingSystem.IsLinux()) return 0;
        return getrusage(who, out var usage) == 0 ? usage.MaxRss : 0;
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct RUsage
    {
        public long UserSeconds, UserMicroseconds, SystemSeconds, SystemMicroseconds;
        public long MaxRss; // kilobytes on Linux
        public long IxRss, IdRss, IsRss, MinFlt, MajFlt, NSwap, InBlock, OuBlock, MsgSnd, MsgRcv, NSignals, NvCsw, NivCsw;
    }

    [LibraryImport("libc", SetLastError = true)]
    private static partial int getrusage(int who, out RUsage usage);
}
