using System.Runtime.InteropServices;

namespace Pixerve.Imaging;

/// <summary>
/// The calling thread's scheduling priority. Linux keeps a nice value per thread (setpriority on a thread id), and
/// an unprivileged process may raise it (lower its priority) but never lower it again: conversion threads are
/// therefore dedicated, niced once when they start and never returned to a pool serving anything else.
/// </summary>
internal static partial class ThreadNice
{
    private const int PrioProcess = 0;

    /// <summary>Sets the calling thread's nice value; false where it cannot be set (not Linux, or refused).</summary>
    public static bool TrySet(int nice)
    {
        if (!OperatingSystem.IsLinux() || nice == 0) return false;
        try
        {
            return setpriority(PrioProcess, gettid(), nice) == 0;
        }
        catch (EntryPointNotFoundException)
        {
            return false;
        }
    }

    /// <summary>The calling thread's nice value as the kernel reports it, or null where it cannot be read.</summary>
    public static int? Current()
    {
        if (!OperatingSystem.IsLinux()) return null;
        // /proc/thread-self/stat: field 19 is the nice value; field 2 (the name) is in parentheses and may hold spaces.
        var stat = File.ReadAllText("/proc/thread-self/stat");
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        return int.Parse(fields[16], System.Globalization.CultureInfo.InvariantCulture);
    }

    [LibraryImport("libc", SetLastError = true)]
    private static partial int setpriority(int which, int who, int prio);

    [LibraryImport("libc")]
    private static partial int gettid();
}
