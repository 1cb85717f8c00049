using System.Runtime.InteropServices;

namespace Pixerve.Imaging.Inspection.Heif;

/// <summary>
/// The two libheif calls that tell whether this machine decodes HEIC, against the system's <c>libheif.so.1</c>
/// (Debian's <c>libheif1</c>). A system library loaded on first use, not a package: the gateway refuses HEIC uploads
/// a silo on the same image could not decode, without carrying any codec. Pixerve.Imaging has the decoding calls.
/// </summary>
internal static class LibHeifProbe
{
    private const string Library = "libheif.so.1";

    public const int CompressionHevc = 1;

    /// <summary>libheif's error, returned by value; code 0 is success.</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct Error
    {
        public int Code;
        public int Subcode;
        public IntPtr Message;

        public readonly string Text => Marshal.PtrToStringUTF8(Message) ?? $"libheif error {Code}.{Subcode}";
    }

    [DllImport(Library)] public static extern Error heif_init(IntPtr parameters);
    [DllImport(Library)] public static extern int heif_have_decoder_for_format(int format);
}
