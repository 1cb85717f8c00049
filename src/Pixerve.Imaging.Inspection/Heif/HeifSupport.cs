namespace Pixerve.Imaging.Inspection.Heif;

/// <summary>Whether this machine can decode HEIC: the system's libheif loads and has an HEVC decoder.</summary>
public static class HeifSupport
{
    private static readonly Lazy<string?> Missing = new(Probe);

    /// <summary>True when HEIC sources can be decoded here.</summary>
    public static bool HevcDecoding => Missing.Value is null;

    /// <summary>Why not, for the refusal's words; null when it can.</summary>
    public static string? Unavailable => Missing.Value;

    private static string? Probe()
    {
        try
        {
            var init = LibHeifProbe.heif_init(IntPtr.Zero);
            if (init.Code != 0) return $"libheif did not initialise: {init.Text}";
            return LibHeifProbe.heif_have_decoder_for_format(LibHeifProbe.CompressionHevc) != 0
                ? null
                : "the installed libheif has no HEVC decoder (libde265)";
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException or BadImageFormatException)
        {
            return "libheif (libheif.so.1, Debian package libheif1) is not installed";
        }
    }
}
