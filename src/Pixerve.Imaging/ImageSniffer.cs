namespace Pixerve.Imaging;

/// <summary>Decides the source format from magic bytes, never from the file name or content type.</summary>
public static class ImageSniffer
{
    /// <summary>Enough bytes for every signature below.</summary>
    public const int HeaderLength = 16;

    public static SourceFormat? Detect(ReadOnlySpan<byte> header)
    {
        if (header.StartsWith((ReadOnlySpan<byte>)[0xFF, 0xD8, 0xFF])) return SourceFormat.Jpeg;
        if (header.StartsWith((ReadOnlySpan<byte>)[0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A])) return SourceFormat.Png;
        if (header.StartsWith("GIF87a"u8) || header.StartsWith("GIF89a"u8)) return SourceFormat.Gif;
        if (header.Length >= 12 && header.StartsWith("RIFF"u8) && header[8..12].SequenceEqual("WEBP"u8)) return SourceFormat.Webp;
        // ISO BMFF: a leading ftyp box whose major brand is avif (still images; avis sequences are not taken).
        if (header.Length >= 12 && header[4..12].SequenceEqual("ftypavif"u8)) return SourceFormat.Avif;
        return null;
    }
}
