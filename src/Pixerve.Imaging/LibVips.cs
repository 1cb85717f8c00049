namespace Pixerve.Imaging;

/// <summary>Process-wide libvips settings, applied once before the first libvips call from either direction.</summary>
internal static class LibVips
{
    static LibVips()
    {
        // Every operation here is one-off; libvips' operation cache would only keep source buffers and
        // pointers into pixel memory we free alive after the job is done.
        NetVips.Cache.Max = 0;
    }

    /// <summary>Runs the static constructor; call before using NetVips.</summary>
    public static void EnsureConfigured()
    {
    }
}
