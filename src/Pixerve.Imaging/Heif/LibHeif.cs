using System.Runtime.InteropServices;

namespace Pixerve.Imaging.Heif;

/// <summary>
/// The few libheif calls a HEIC decode needs, against the system's <c>libheif.so.1</c> (Debian's <c>libheif1</c>,
/// which decodes HEVC through libde265). The libvips that NetVips.Native bundles has libheif with AV1 only. Whether
/// the library loads and has an HEVC decoder (and its initialisation) is <see cref="Inspection.Heif.HeifSupport"/>'s.
/// </summary>
internal static class LibHeif
{
    private const string Library = "libheif.so.1";

    public const int ColorspaceRgb = 1;
    public const int ChromaInterleavedRgba = 11;
    public const int ChannelInterleaved = 10;
    /// <summary>The fourcc of an ICC profile box (<c>prof</c>) and a restricted one (<c>rICC</c>).</summary>
    public const int ProfileIcc = 0x70726f66, ProfileRestrictedIcc = 0x72494343;

    /// <summary>libheif's error, returned by value; code 0 is success.</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct Error
    {
        public int Code;
        public int Subcode;
        public IntPtr Message;

        public readonly string Text => Marshal.PtrToStringUTF8(Message) ?? $"libheif error {Code}.{Subcode}";
    }

    [DllImport(Library)] public static extern IntPtr heif_context_alloc();
    [DllImport(Library)] public static extern void heif_context_free(IntPtr context);
    /// <summary>The longest width and height (one value for both) the context reads; call before reading the file.</summary>
    [DllImport(Library)] public static extern void heif_context_set_maximum_image_size_limit(IntPtr context, int maximumWidth);
    [DllImport(Library)] public static extern Error heif_context_read_from_memory_without_copy(IntPtr context, IntPtr memory, nuint size, IntPtr options);
    [DllImport(Library)] public static extern Error heif_context_get_primary_image_handle(IntPtr context, out IntPtr handle);
    [DllImport(Library)] public static extern void heif_image_handle_release(IntPtr handle);
    [DllImport(Library)] public static extern int heif_image_handle_get_width(IntPtr handle);
    [DllImport(Library)] public static extern int heif_image_handle_get_height(IntPtr handle);
    [DllImport(Library)] public static extern int heif_image_handle_has_alpha_channel(IntPtr handle);
    [DllImport(Library)] public static extern int heif_image_handle_get_color_profile_type(IntPtr handle);
    [DllImport(Library)] public static extern nuint heif_image_handle_get_raw_color_profile_size(IntPtr handle);
    [DllImport(Library)] public static extern Error heif_image_handle_get_raw_color_profile(IntPtr handle, byte[] data);
    [DllImport(Library)] public static extern Error heif_decode_image(IntPtr handle, out IntPtr image, int colorspace, int chroma, IntPtr options);
    [DllImport(Library)] public static extern void heif_image_release(IntPtr image);
    [DllImport(Library)] public static extern int heif_image_get_width(IntPtr image, int channel);
    [DllImport(Library)] public static extern int heif_image_get_height(IntPtr image, int channel);
    [DllImport(Library)] public static extern IntPtr heif_image_get_plane_readonly(IntPtr image, int channel, out int stride);
}
