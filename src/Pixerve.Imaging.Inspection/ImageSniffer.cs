using Pixerve.Imaging.Inspection.Formats;

namespace Pixerve.Imaging.Inspection;

/// <summary>Decides the source format from magic bytes, never from the file name or content type.</summary>
public static class ImageSniffer
{
    /// <summary>Enough bytes for every signature below, an ISO BMFF <c>ftyp</c> box's compatible brands included.</summary>
    public const int HeaderLength = 64;

    /// <summary>Major brands of HEVC-coded HEIF: images (heic, heix), multi-layer (heim, heis) and sequences (hevc, hevx).</summary>
    private static readonly string[] HeicBrands = ["heic", "heix", "heim", "heis", "hevc", "hevx"];

    public static SourceFormat? Detect(ReadOnlySpan<byte> header)
    {
        if (header.StartsWith((ReadOnlySpan<byte>)[0xFF, 0xD8, 0xFF])) return SourceFormat.Jpeg;
        if (header.StartsWith((ReadOnlySpan<byte>)[0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A])) return SourceFormat.Png;
        if (header.StartsWith("GIF87a"u8) || header.StartsWith("GIF89a"u8)) return SourceFormat.Gif;
        if (header.Length >= 12 && header.StartsWith("RIFF"u8) && header[8..12].SequenceEqual("WEBP"u8)) return SourceFormat.Webp;
        if (header.Length >= 12 && header[4..8].SequenceEqual("ftyp"u8)) return IsoBmff(header);
        return null;
    }

    /// <summary>
    /// ISO BMFF decided by the leading ftyp box: major brand avif (still images; avis sequences are not taken) or a
    /// HEVC brand. The generic HEIF brands (mif1, msf1) say nothing of the codec: the compatible brands do, and AV1
    /// wins when both are named, as libheif decides.
    /// </summary>
    private static SourceFormat? IsoBmff(ReadOnlySpan<byte> header)
    {
        var major = System.Text.Encoding.ASCII.GetString(header[8..12]);
        if (major == "avif") return SourceFormat.Avif;
        if (HeicBrands.Contains(major)) return SourceFormat.Heic;
        if (major is not ("mif1" or "msf1")) return null;

        // Compatible brands run from byte 16 to the end of the box (size 0 or 1: not a plain ftyp; read what is here).
        var size = (int)Math.Min(System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(header), (uint)header.Length);
        var compatible = new List<string>();
        for (var at = 16; at + 4 <= size; at += 4) compatible.Add(System.Text.Encoding.ASCII.GetString(header[at..(at + 4)]));
        if (compatible.Contains("avif")) return SourceFormat.Avif;
        return compatible.Any(HeicBrands.Contains) ? SourceFormat.Heic : null;
    }
}
