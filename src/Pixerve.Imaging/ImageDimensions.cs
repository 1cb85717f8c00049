using System.Buffers.Binary;

namespace Pixerve.Imaging;

/// <summary>
/// Reads an image's pixel dimensions from its header alone, so the gateway can refuse a decompression bomb
/// before a byte is staged or decoded. Only the start of the file is needed (for JPEG: up to the SOFn
/// marker, past any APPn segments).
/// </summary>
public static class ImageDimensions
{
    public static HeaderRead TryRead(SourceFormat format, ReadOnlySpan<byte> header, out int width, out int height)
    {
        (width, height) = (0, 0);
        return format switch
        {
            SourceFormat.Png => Png(header, ref width, ref height),
            SourceFormat.Gif => Gif(header, ref width, ref height),
            SourceFormat.Webp => Webp(header, ref width, ref height),
            SourceFormat.Jpeg => Jpeg(header, ref width, ref height),
            SourceFormat.Avif or SourceFormat.Heic => IsoBmff(header, ref width, ref height),
            _ => HeaderRead.Invalid,
        };
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

    /// <summary>
    /// ISO BMFF: the <c>ispe</c> (image spatial extent) properties in <c>meta/iprp/ipco</c>. A file may hold
    /// several (grid tiles, alpha, thumbnails); the largest is what a decode allocates, so that one counts.
    /// The whole <c>meta</c> box must be in the buffer; AVIF and HEIC writers put it before <c>mdat</c>. A rotation
    /// (irot) does not change the pixel count, so the stored extents are what the limit counts.
    /// </summary>
    private static HeaderRead IsoBmff(ReadOnlySpan<byte> h, ref int width, ref int height)
    {
        var at = 0L;
        while (true)
        {
            var (read, type, content, end) = Box(h, at);
            if (read != HeaderRead.Found) return read;
            if (type == Meta)
            {
                if (end > h.Length) return HeaderRead.NeedMore;
                var best = 0L;
                // meta is a full box: 4 bytes of version and flags come before its children.
                foreach (var (ispe, ispeEnd) in Children(h, content + 4, end, [Iprp, Ipco, Ispe]))
                {
                    // ispe is a full box too: version and flags, then 32-bit width and height.
                    if (ispeEnd - ispe < 12) return HeaderRead.Invalid;
                    var (w, hh) = (BinaryPrimitives.ReadUInt32BigEndian(h[(int)(ispe + 4)..]), BinaryPrimitives.ReadUInt32BigEndian(h[(int)(ispe + 8)..]));
                    if (w == 0 || hh == 0 || w > int.MaxValue || hh > int.MaxValue) return HeaderRead.Invalid;
                    if ((long)w * hh > best) (best, width, height) = ((long)w * hh, (int)w, (int)hh);
                }

                return best > 0 ? HeaderRead.Found : HeaderRead.Invalid;
            }

            // Media data or a box running to the end of the file before any meta: nothing to read the size from.
            if (type == Mdat || end == long.MaxValue) return HeaderRead.Invalid;
            at = end;
        }
    }

    private const uint Meta = 0x6D657461, Iprp = 0x69707270, Ipco = 0x6970636F, Ispe = 0x69737065, Mdat = 0x6D646174;

    /// <summary>The box at <paramref name="at"/>: its type, where its content starts and where it ends (long.MaxValue: at the end of the file).</summary>
    private static (HeaderRead Read, uint Type, long Content, long End) Box(ReadOnlySpan<byte> h, long at)
    {
        if (at + 8 > h.Length) return (HeaderRead.NeedMore, 0, 0, 0);
        var i = (int)at;
        long size = BinaryPrimitives.ReadUInt32BigEndian(h[i..]);
        var type = BinaryPrimitives.ReadUInt32BigEndian(h[(i + 4)..]);
        var header = 8;
        if (size == 1)
        {
            if (at + 16 > h.Length) return (HeaderRead.NeedMore, 0, 0, 0);
            var large = BinaryPrimitives.ReadUInt64BigEndian(h[(i + 8)..]);
            size = large > int.MaxValue ? int.MaxValue : (long)large;
            header = 16;
        }

        if (size == 0) return (HeaderRead.Found, type, at + header, long.MaxValue);
        return size < header ? (HeaderRead.Invalid, 0, 0, 0) : (HeaderRead.Found, type, at + header, at + size);
    }

    /// <summary>The content ranges of the boxes reached by <paramref name="path"/> from the children in [start, end).</summary>
    private static List<(long Content, long End)> Children(ReadOnlySpan<byte> h, long start, long end, uint[] path)
    {
        var found = new List<(long, long)>();
        for (var at = start; at < end;)
        {
            var (read, type, content, boxEnd) = Box(h, at);
            if (read != HeaderRead.Found || boxEnd > end) break;
            if (type == path[0])
            {
                if (path.Length == 1) found.Add((content, boxEnd));
                else found.AddRange(Children(h, content, boxEnd, path[1..]));
            }

            at = boxEnd;
        }

        return found;
    }

    private static uint UInt24(ReadOnlySpan<byte> b) => (uint)(b[0] | b[1] << 8 | b[2] << 16);

    private static HeaderRead Positive(uint w, uint h, ref int width, ref int height)
    {
        if (w == 0 || h == 0 || w > int.MaxValue || h > int.MaxValue) return HeaderRead.Invalid;
        (width, height) = ((int)w, (int)h);
        return HeaderRead.Found;
    }
}
