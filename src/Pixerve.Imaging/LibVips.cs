namespace Pixerve.Imaging;

/// <summary>Process-wide libvips settings, applied once before the first libvips call from either direction.</summary>
internal static class LibVips
{
    static LibVips()
    {
        // Every operation here is one-off; libvips' operation cache would only keep source buffers and
        // pointers into pixel memory we free alive after the job is done.
        NetVips.Cache.Max = 0;
        // One thread per libvips operation: the converter runs its operations side by side on ConversionThreads,
        // which are the CPU budget; libvips threading each of them as well would multiply it. Only a wide step
        // (ConversionThreads.RunWide), holding every conversion thread, raises it for its own duration.
        NetVips.NetVips.Concurrency = 1;
        // Loaders and savers libvips does not harden for untrusted input (ImageMagick, PDF, MAT, FITS, ...) are
        // refused outright; ours (jpeg, heif) are not among them.
        NetVips.NetVips.BlockUntrusted = true;
    }

    /// <summary>
    /// Sets how many threads libvips gives each pipeline started from now on (and libaom each AV1 encode). Only
    /// <see cref="ConversionThreads.RunWide{T}"/> raises it, while it holds every conversion thread.
    /// </summary>
    public static void SetConcurrency(int threads) => NetVips.NetVips.Concurrency = threads;

    /// <summary>Runs the static constructor; call before using NetVips.</summary>
    public static void EnsureConfigured()
    {
    }
}
