using System.Buffers.Binary;
using Pixerve.Imaging.Inspection.Formats;

namespace Pixerve.Imaging.Inspection;

/// <summary>
/// Reads an image's pixel dimensions from its header alone, so the gateway can refuse a decompression bomb
/// before a byte is staged or decoded. Only the start of the file is needed (for JPEG: up to the SOFn
/// marker, past any APPn segments).
/// </summary>
public static class ImageDimensions
{
    public static HeaderRead TryRead(SourceFormat format, ReadOnlySpan<byte> header, out int width, out int height)
    {
        var read = Read(format, header);
        (width, height) = (read.Width, read.Height);
        return read.Read;
    }

    /// <summary>
    /// The dimensions, with what they are of or why they cannot be read (<see cref="HeaderDimensions.Detail"/>) where
    /// the format has more to say than its magic numbers: an AVIF or HEIC declares several sizes (thumbnails, tiles,
    /// grids), of which the largest counts, and may be refused for an ambiguous structure (<see cref="Heif.HeifStructure"/>).
    /// </summary>
    public static HeaderDimensions Read(SourceFormat format, ReadOnlySpan<byte> header)
    {
        if (format is SourceFormat.Avif or SourceFormat.Heic)
        {
            // The whole meta box must be in the buffer (writers put it before mdat), and any grid description kept in mdat.
            var heif = Heif.HeifStructure.Read(header, whole: false);
            return new HeaderDimensions(heif.Read, heif.Largest.Width, heif.Largest.Height,
                heif.Read == HeaderRead.Found ? heif.Largest.Of : heif.Problem);
        }

        var (width, height) = (0, 0);
        var read = format switch
        {
            SourceFormat.Png => Png(header, ref width, ref height),
            SourceFormat.Gif => Gif(header, ref width, ref height),
            SourceFormat.Webp => Webp(header, ref width, ref height),
            SourceFormat.Jpeg => Jpeg(header, ref width, ref height),
            _ => HeaderRead.Invalid,
        };
        return new HeaderDimensions(read, width, height);
    }

    /// <summary>Signature (8), IHDR length (4) and type (4), then big-endian width and height.</summary>
    private static HeaderRead Png(ReadOnlySpan<byte> h, ref int width, ref int height)
    {
        if (h.Length < 24) return HeaderRead.NeedMore;
        if (!h[12..16].SequenceEqual("IHDR"u8)) return HeaderRead.Invalid;
        return Positive(BinaryPrimitives.ReadUInt32BigEndian(h[16..]), BinaryPrimitives.ReadUInt32BigEndian(h[20..]), ref width, ref height);
    }

    /// <summary>The logical screen after the 6-byte signature bounds every frame.</summary>
    private static HeaderRead Gif(ReadOnlySpan<byte> h, ref int width, ref int height)
    {
        if (h.Length < 10) return HeaderRead.NeedMore;
        return Positive(BinaryPrimitives.ReadUInt16LittleEndian(h[6..]), BinaryPrimitives.ReadUInt16LittleEndian(h[8..]), ref width, ref height);
    }

    /// <summary>RIFF header (12), then the first chunk: VP8 (lossy), VP8L (lossless) or VP8X (extended, canvas size).</summary>
    private static HeaderRead Webp(ReadOnlySpan<byte> h, ref int width, ref int height)
    {
        if (h.Length < 30) return HeaderRead.NeedMore;
        var chunk = h[12..16];
        var data = h[20..];
        if (chunk.SequenceEqual("VP8 "u8))
        {
            // Frame tag (3), start code 9d 01 2a, then 14-bit width and height (the top 2 bits are scaling).
            if (data[3] != 0x9d || data[4] != 0x01 || data[5] != 0x2a) return HeaderRead.Invalid;
            return Positive((uint)(BinaryPrimitives.ReadUInt16LittleEndian(data[6..]) & 0x3FFF),
                (uint)(BinaryPrimitives.ReadUInt16LittleEndian(data[8..]) & 0x3FFF), ref width, ref height);
        }

        if (chunk.SequenceEqual("VP8L"u8))
        {
            // Signature 0x2f, then 14 bits of width - 1 and 14 bits of height - 1, little-endian.
            if (data[0] != 0x2f) return HeaderRead.Invalid;
            var bits = BinaryPrimitives.ReadUInt32LittleEndian(data[1..]);
            return Positive((bits & 0x3FFF) + 1, ((bits >> 14) & 0x3FFF) + 1, ref width, ref height);
        }

        if (chunk.SequenceEqual("VP8X"u8))
        {
            // Flags (1) and reserved (3), then 24-bit canvas width - 1 and height - 1.
            return Positive(UInt24(data[4..]) + 1, UInt24(data[7..]) + 1, ref width, ref height);
        }

        return HeaderRead.Invalid;
    }

    /// <summary>Walks the marker segments from SOI to the first SOFn, which holds height then width.</summary>
    private static HeaderRead Jpeg(ReadOnlySpan<byte> h, ref int width, ref int height)
    {
        var at = 2;
        while (true)
        {
            if (at + 4 > h.Length) return HeaderRead.NeedMore;
            if (h[at] != 0xFF) return HeaderRead.Invalid;
            var marker = h[at + 1];
            if (marker == 0xFF)
            {
                at++; // fill byte before a marker
                continue;
            }

            if (marker is 0x01 or >= 0xD0 and <= 0xD7)
            {
                at += 2; // standalone markers carry no length
                continue;
            }

            if (marker is 0xD8 or 0xD9 or 0xDA) return HeaderRead.Invalid; // image data or end before any frame header
            var length = BinaryPrimitives.ReadUInt16BigEndian(h[(at + 2)..]);
            if (length < 2) return HeaderRead.Invalid;

            // SOF0–SOF15 except DHT (C4), JPG (C8) and DAC (CC).
            if (marker is >= 0xC0 and <= 0xCF and not (0xC4 or 0xC8 or 0xCC))
            {
                if (at + 9 > h.Length) return HeaderRead.NeedMore;
                if (length < 8) return HeaderRead.Invalid;
                return Positive(BinaryPrimitives.ReadUInt16BigEndian(h[(at + 7)..]), BinaryPrimitives.ReadUInt16BigEndian(h[(at + 5)..]),
                    ref width, ref height);
            }

            at += 2 + length;
        }
    }

    private static uint UInt24(ReadOnlySpan<byte> b) => (uint)(b[0] | b[1] << 8 | b[2] << 16);

    private static HeaderRead Positive(uint w, uint h, ref int width, ref int height)
    {
        if (w == 0 || h == 0 || w > int.MaxValue || h > int.MaxValue) return HeaderRead.Invalid;
        (width, height) = ((int)w, (int)h);
        return HeaderRead.Found;
    }
}
