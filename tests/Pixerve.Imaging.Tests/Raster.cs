using SkiaSharp;

namespace Pixerve.Imaging.Tests;

/// <summary>
/// Decoded pixels as straight RGBA bytes, whichever library decoded them, so SkiaSharp's and libvips' views
/// of an image can be compared.
/// </summary>
public sealed record Raster(int Width, int Height, byte[] Rgba)
{
    /// <summary>Decodes with SkiaSharp into sRGB (JPEG, PNG, WebP, GIF's first frame).</summary>
    public static Raster Skia(ReadOnlySpan<byte> encoded)
    {
        using var codec = SKCodec.Create(new SKMemoryStream(encoded.ToArray())) ?? throw new InvalidOperationException("SkiaSharp cannot decode this");
        var info = new SKImageInfo(codec.Info.Width, codec.Info.Height, SKColorType.Rgba8888, SKAlphaType.Unpremul, SKColorSpace.CreateSrgb());
        var result = codec.GetPixels(info, out var pixels);
        if (result != SKCodecResult.Success) throw new InvalidOperationException($"SkiaSharp decode: {result}");
        return new Raster(info.Width, info.Height, pixels);
    }

    /// <summary>Decodes with libvips (AVIF, or a second opinion); grey and RGB gain the missing bands.</summary>
    public static Raster Vips(NetVips.Image image)
    {
        using var srgb = image.Interpretation == NetVips.Enums.Interpretation.Srgb ? image.Copy() : image.Colourspace(NetVips.Enums.Interpretation.Srgb);
        using var eight = srgb.Format == NetVips.Enums.BandFormat.Uchar ? srgb.Copy() : srgb.Cast(NetVips.Enums.BandFormat.Uchar);
        using var rgba = eight.HasAlpha() ? eight.Copy() : eight.Bandjoin(255);
        if (rgba.Bands != 4) throw new InvalidOperationException($"expected 4 bands, got {rgba.Bands}");
        return new Raster(rgba.Width, rgba.Height, rgba.WriteToMemory<byte>());
    }

    public static Raster Vips(byte[] encoded)
    {
        using var image = NetVips.Image.NewFromBuffer(encoded);
        return Vips(image);
    }

    public (byte R, byte G, byte B, byte A) this[int x, int y]
    {
        get
        {
            var i = (y * Width + x) * 4;
            return (Rgba[i], Rgba[i + 1], Rgba[i + 2], Rgba[i + 3]);
        }
    }

    /// <summary>
    /// Mean R, G, B of each cell of an n×n grid. Cells cover the same part of the picture at any size, so a
    /// thumbnail's grid can be compared with its source's.
    /// </summary>
    public double[,,] GridMeans(int n = 8)
    {
        var sums = new double[n, n, 4];
        for (var y = 0; y < Height; y++)
        {
            var gy = y * n / Height;
            for (var x = 0; x < Width; x++)
            {
                var gx = x * n / Width;
                var i = (y * Width + x) * 4;
                sums[gx, gy, 0] += Rgba[i];
                sums[gx, gy, 1] += Rgba[i + 1];
                sums[gx, gy, 2] += Rgba[i + 2];
                sums[gx, gy, 3]++;
            }
        }

        var means = new double[n, n, 3];
        for (var gx = 0; gx < n; gx++)
        for (var gy = 0; gy < n; gy++)
        for (var c = 0; c < 3; c++)
            means[gx, gy, c] = sums[gx, gy, c] / sums[gx, gy, 3];
        return means;
    }

    /// <summary>The largest difference of any channel of any grid cell between two renderings of one picture.</summary>
    public static double GridDistance(Raster a, Raster b, int n = 8)
    {
        var (ma, mb) = (a.GridMeans(n), b.GridMeans(n));
        var worst = 0.0;
        for (var gx = 0; gx < n; gx++)
        for (var gy = 0; gy < n; gy++)
        for (var c = 0; c < 3; c++)
            worst = Math.Max(worst, Math.Abs(ma[gx, gy, c] - mb[gx, gy, c]));
        return worst;
    }
}
