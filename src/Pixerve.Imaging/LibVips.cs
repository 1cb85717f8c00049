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
        // which are the CPU budget; libvips threading each of them as well would multiply it.
        NetVips.NetVips.Concurrency = 1;
        // Loaders and savers libvips does not harden for untrusted input (ImageMagick, PDF, MAT, FITS, ...) are
        // refused outright; ours (jpeg, heif) are not among them.
        NetVips.NetVips.BlockUntrusted = true;
    }

    /// <summary>Runs the static constructor; call before using NetVips.</summary>
    public static void EnsureConfigured()
    {
    }
}
