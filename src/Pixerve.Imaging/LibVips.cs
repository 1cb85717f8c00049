namespace Pixerve.Imaging;

/// <summary>Process-wide libvips settings, applied once before the first libvips call from either direction.</summary>
internal static class LibVips
{
    static LibVips()
    {
        // Every operation here is one-off; libvips' operation cache would only keep source buffers and
        // pointers into pixel memory we free alive after the job is done.
        NetVips.Cache.Max = 0;
        // Loaders and savers libvips does not harden for untrusted input (ImageMagick, PDF, MAT, FITS, ...) are
        // refused outright; ours (heif) are not among them.
        NetVips.NetVips.BlockUntrusted = true;
    }

    /// <summary>Runs the static constructor; call before using NetVips.</summary>
    public static void EnsureConfigured()
    {
    }
}
