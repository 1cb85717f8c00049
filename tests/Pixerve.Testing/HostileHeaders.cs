using System.Buffers.Binary;
using static Pixerve.Testing.HeifBuilder;

namespace Pixerve.Testing;

/// <summary>
/// One hostile file: its bytes (a header made byte by byte: no pixel data), the status the header reader alone gives
/// (0: it passes the header, to be caught while the rest streams in) and the status of an upload of it, and words
/// its refusal must hold.
/// </summary>
public sealed record HostileHeader(string Name, string FileName, byte[] Bytes, int HeaderStatus, int UploadStatus, string Says)
{
    public bool IsHeif => FileName.EndsWith(".heic", StringComparison.Ordinal) || FileName.EndsWith(".avif", StringComparison.Ordinal);

    public override string ToString() => Name;
}

/// <summary>
/// Headers at and past every edge of every format: each format's largest declarable size, sizes whose pixel count
/// does not fit an int (65536×65536 is 2^32: 0 in an int), and the HEIF structures that hide a size from a reader that
/// looks only at the primary image or the first meta box. None needs a real image: each is refused before decoding.
/// </summary>
public static class HostileHeaders
{
    private const string PixelLimit = "Pixerve:Limits:MaxSourcePixels";

    public static readonly IReadOnlyList<HostileHeader> All =
    [
        new("jpeg SOF 65535×65535", "sof.jpg", Jpeg(65535, 65535), 413, 413, PixelLimit),
        new("webp VP8 16383×16383", "vp8.webp", WebpVp8(16383, 16383), 413, 413, PixelLimit),
        new("webp VP8L 16384×16384", "vp8l.webp", WebpVp8L(16384, 16384), 413, 413, PixelLimit),
        new("webp VP8X canvas 16777216×16777216", "vp8x.webp", WebpVp8X(16777216, 16777216), 413, 413, PixelLimit),
        new("png 65536×65536 (2^32 pixels: 0 in an int)", "wrap.png", Png(65536, 65536), 413, 413, PixelLimit),
        new("png 2147483647×2 (-2 in an int)", "wide.png", Png(int.MaxValue, 2), 413, 413, PixelLimit),
        new("gif screen 65535×65535", "screen.gif", Gif(65535, 65535, 1, 1), 413, 413, PixelLimit),
        new("gif 1×1 screen with a 65535×65535 frame", "frame.gif", Gif(1, 1, 65535, 65535), 0, 413, PixelLimit),
        new("gif 1×1 screen with a 1×1 frame at 65534,65534", "offset.gif", Gif(1, 1, 1, 1, left: 65534, top: 65534), 0, 413, PixelLimit),
        new("heic primary ispe 100000×100000", "ispe.heic", HeifIspe("heic", 100000, 100000), 413, 413, PixelLimit),
        new("avif 64×64 primary with a 30000×30000 second item", "item.avif", HeifSecondItem("avif", 30000, 30000), 413, 413, PixelLimit),
        new("heic meta 64×64 then meta 30000×30000", "metas.heic", HeifTwoMetas("heic", afterMdat: false), 415, 415, "more than one top-level meta box"),
        new("avif meta 64×64, 300 KB of mdat, then meta 30000×30000", "late-meta.avif", HeifTwoMetas("avif", afterMdat: true), 0, 415, "more than one top-level meta box"),
        new("heic primary item without ispe", "no-ispe.heic", HeifPrimaryWithoutIspe("heic"), 415, 415, "no ispe"),
        new("avif grid 30000×30000 of two 64×64 tiles", "grid.avif", HeifGrid("avif", 30000, 30000, wide: false), 413, 413, PixelLimit),
        new("heic grid 100000×100000 (32-bit fields) of two 64×64 tiles", "grid32.heic", HeifGrid("heic", 100000, 100000, wide: true), 413, 413, PixelLimit),
        new("heic overlay canvas 65535×65535 over a 64×64 image", "overlay.heic", HeifOverlay("heic", 65535, 65535), 413, 413, PixelLimit),
    ];

    /// <summary>The names, for a theory: one test case each (a name serialises; the bytes are looked up with <see cref="Named"/>).</summary>
    public static TheoryData<string> Names() => [.. All.Select(h => h.Name)];

    public static TheoryData<string> HeifNames() => [.. All.Where(h => h.IsHeif).Select(h => h.Name)];

    public static HostileHeader Named(string name) => All.Single(h => h.Name == name);

    // --- JPEG, PNG, GIF, WebP

    /// <summary>SOI, then a baseline SOF0 of 3 components: height, then width.</summary>
    public static byte[] Jpeg(int width, int height) =>
        [0xFF, 0xD8, 0xFF, 0xC0, 0x00, 0x11, 8, (byte)(height >> 8), (byte)height, (byte)(width >> 8), (byte)width, 3,
            1, 0x11, 0, 2, 0x11, 1, 3, 0x11, 1, 0xFF, 0xD9];

    /// <summary>Signature, then an IHDR of an 8-bit greyscale image (its CRC is not checked before decoding).</summary>
    public static byte[] Png(uint width, uint height)
    {
        byte[] png = [0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 13, .. "IHDR"u8, 0, 0, 0, 0, 0, 0, 0, 0, 8, 0, 0, 0, 0, 0, 0, 0, 0];
        BinaryPrimitives.WriteUInt32BigEndian(png.AsSpan(16), width);
        BinaryPrimitives.WriteUInt32BigEndian(png.AsSpan(20), height);
        return png;
    }

    public static byte[] Png(int width, int height) => Png((uint)width, (uint)height);

    /// <summary>A <paramref name="screenWidth"/>×<paramref name="screenHeight"/> logical screen holding one frame of the given size and place.</summary>
    public static byte[] Gif(int screenWidth, int screenHeight, int width, int height, int left = 0, int top = 0)
    {
        var gif = new List<byte>();
        gif.AddRange("GIF89a"u8.ToArray());
        gif.AddRange([(byte)screenWidth, (byte)(screenWidth >> 8), (byte)screenHeight, (byte)(screenHeight >> 8), 0x80, 0, 0]);
        gif.AddRange([0, 0, 0, 255, 255, 255]);                                      // global table of 2 colours
        gif.AddRange([0x2C, (byte)left, (byte)(left >> 8), (byte)top, (byte)(top >> 8),
            (byte)width, (byte)(width >> 8), (byte)height, (byte)(height >> 8), 0]);
        gif.AddRange([2, 2, 0x4C, 0x01, 0]);                                          // LZW minimum 2, one sub-block, terminator
        gif.Add(0x3B);
        return gif.ToArray();
    }

    private static byte[] Riff(string chunk, byte[] payload)
    {
        var padded = payload.Length + (payload.Length & 1);
        var riff = new byte[12 + 8 + padded];
        "RIFF"u8.CopyTo(riff);
        BinaryPrimitives.WriteUInt32LittleEndian(riff.AsSpan(4), (uint)(riff.Length - 8));
        "WEBP"u8.CopyTo(riff.AsSpan(8));
        System.Text.Encoding.ASCII.GetBytes(chunk).CopyTo(riff, 12);
        BinaryPrimitives.WriteUInt32LittleEndian(riff.AsSpan(16), (uint)payload.Length);
        payload.CopyTo(riff, 20);
        return riff;
    }

    /// <summary>Lossy: a key frame tag, the start code, 14-bit width and height.</summary>
    public static byte[] WebpVp8(int width, int height) =>
        Riff("VP8 ", [0x10, 0x02, 0x00, 0x9D, 0x01, 0x2A, (byte)width, (byte)(width >> 8 & 0x3F), (byte)height, (byte)(height >> 8 & 0x3F), 0, 0]);

    /// <summary>Lossless: the signature, then 14 bits each of width - 1 and height - 1.</summary>
    public static byte[] WebpVp8L(int width, int height)
    {
        var bits = (uint)(width - 1) | (uint)(height - 1) << 14;
        return Riff("VP8L", [0x2F, (byte)bits, (byte)(bits >> 8), (byte)(bits >> 16), (byte)(bits >> 24), 0, 0, 0, 0, 0]);
    }

    /// <summary>Extended: flags, reserved, then 24 bits each of canvas width - 1 and height - 1.</summary>
    public static byte[] WebpVp8X(int width, int height) =>
        Riff("VP8X", [0, 0, 0, 0, (byte)(width - 1), (byte)((width - 1) >> 8), (byte)((width - 1) >> 16),
            (byte)(height - 1), (byte)((height - 1) >> 8), (byte)((height - 1) >> 16)]);

    // --- HEIF (AVIF and HEIC): the structure only; the coded data is a few stand-in bytes

    private static string Codec(string brand) => brand == "avif" ? "av01" : "hvc1";

    private static byte[] Coded => [0, 0, 0, 4, 1, 2, 3, 4];

    public static byte[] HeifIspe(string brand, uint width, uint height) =>
        new HeifBuilder(brand).Add(1, Codec(brand), Coded, properties: Ispe(width, height)).Build();

    /// <summary>A small primary image and a second (a thumbnail, an auxiliary image) of the given size.</summary>
    public static byte[] HeifSecondItem(string brand, uint width, uint height) =>
        new HeifBuilder(brand)
            .Add(1, Codec(brand), Coded, properties: Ispe(64, 64))
            .Add(2, Codec(brand), Coded, properties: Ispe(width, height))
            .Reference("thmb", 2, 1)
            .Build();

    /// <summary>A 64×64 image's meta box, then a second meta box of a 30000×30000 image: right after it, or after 300 KB of mdat.</summary>
    public static byte[] HeifTwoMetas(string brand, bool afterMdat)
    {
        var first = new HeifBuilder(brand) { MdatPadding = afterMdat ? 300 * 1024 : 0 }.Add(1, Codec(brand), Coded, properties: Ispe(64, 64));
        var second = new HeifBuilder(brand).Add(1, Codec(brand), Coded, properties: Ispe(30000, 30000));
        return first.BuildWithSecondMeta(second, afterMdat);
    }

    public static byte[] HeifPrimaryWithoutIspe(string brand) =>
        new HeifBuilder(brand)
            .Add(1, Codec(brand), Coded)
            .Add(2, Codec(brand), Coded, properties: Ispe(64, 64))
            .Build();

    /// <summary>
    /// A grid of two 64×64 tiles whose output is <paramref name="width"/>×<paramref name="height"/>; its own ispe says
    /// 128×64, as if it matched its tiles. The grid description is stored in idat (or in mdat: <paramref name="inIdat"/>).
    /// </summary>
    public static byte[] HeifGrid(string brand, uint width, uint height, bool wide, bool inIdat = true, int mdatPadding = 0) =>
        new HeifBuilder(brand) { MdatPadding = mdatPadding }
            .Add(1, "grid", GridData(1, 2, width, height, wide), inIdat, Ispe(128, 64))
            .Add(2, Codec(brand), Coded, properties: Ispe(64, 64))
            .Add(3, Codec(brand), Coded, properties: Ispe(64, 64))
            .Reference("dimg", 1, 2, 3)
            .Build();

    public static byte[] HeifOverlay(string brand, uint width, uint height) =>
        new HeifBuilder(brand)
            .Add(1, "iovl", OverlayData(width, height, 1), inIdat: true, Ispe(64, 64))
            .Add(2, Codec(brand), Coded, properties: Ispe(64, 64))
            .Reference("dimg", 1, 2)
            .Build();
}
