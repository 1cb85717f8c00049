using SkiaSharp;
using Pixerve.Imaging.Placeholders;
using Pixerve.Testing;

namespace Pixerve.Imaging.Tests;

/// <summary>The ThumbHash and BlurHash ports give exactly the reference encoders' strings.</summary>
public sealed class PlaceholderTests
{
    private readonly ImageConverter _converter = new();

    [Theory]
    [InlineData("photo-1920x1280-canon.jpg")]
    [InlineData("alpha.png")]
    [InlineData("orient-6.jpg")]
    [InlineData("gray.jpg")]
    [InlineData("cmyk.jpg")]
    [InlineData("vb.webp")]
    [InlineData("animated.gif")]
    public void Previews_of_the_test_images_hash_as_the_reference_does(string image)
    {
        var preview = PreviewOf(File.ReadAllBytes(RepositoryPaths.Image(image)));

        AssertSameAsReference(preview.Width, preview.Height, preview.Rgba);
    }

    [Theory]
    [InlineData(1, 1)]
    [InlineData(37, 91)]
    [InlineData(333, 7)]
    public void Tiny_and_odd_sized_sources_hash_as_the_reference_does(int width, int height)
    {
        var preview = PreviewOf(Png(width, height, translucent: width == 37));

        Assert.True(preview.Width <= 100 && preview.Height <= 100);
        AssertSameAsReference(preview.Width, preview.Height, preview.Rgba);
    }

    [Theory]
    [InlineData(100, 100, 1)]
    [InlineData(100, 1, 2)]
    [InlineData(1, 100, 3)]
    [InlineData(64, 48, 4)]
    [InlineData(99, 57, 5)]
    public void Random_pixels_hash_as_the_reference_does(int width, int height, int seed)
    {
        var rgba = new byte[width * height * 4];
        new Random(seed).NextBytes(rgba);
        // Half the cases opaque, the others with every alpha value.
        if (seed % 2 == 1)
            for (var i = 3; i < rgba.Length; i += 4) rgba[i] = 255;

        AssertSameAsReference(width, height, rgba);
    }

    [Fact]
    public void Cosine_is_V8s_bit_for_bit_on_every_argument_the_encoders_use()
    {
        // ThumbHash's π/w·c·(x + ½) and BlurHash's π·c·x/w for every side up to 100 and every component, plus a
        // few arguments near multiples of π/2 (the reduction's careful paths) and negatives.
        var arguments = new List<double>();
        for (var w = 1; w <= 100; w++)
        for (var c = 0; c < 9; c++)
        for (var x = 0; x < w; x++)
            arguments.AddRange([Math.PI / w * c * (x + 0.5), Math.PI * c * x / w]);
        for (var k = 1; k <= 40; k++)
            arguments.AddRange([k * Math.PI / 2, Math.BitIncrement(k * Math.PI / 2), -k * Math.PI / 2 + 1e-9, -k * 0.7]);

        var v8 = PlaceholderReference.Math("cos", arguments.ToArray());

        var differing = arguments.Where((a, i) => BitConverter.DoubleToInt64Bits(JsCos.Cos(a)) != BitConverter.DoubleToInt64Bits(v8[i])).ToList();
        Assert.True(differing.Count == 0, $"{differing.Count} of {arguments.Count} differ, e.g. cos({differing.FirstOrDefault():R})");
    }

    [Fact]
    public void The_linear_light_table_is_V8s_bit_for_bit()
    {
        var bytes = Enumerable.Range(0, 256).Select(v => (double)v).ToArray();

        var v8 = PlaceholderReference.Math("srgb-to-linear", bytes);

        Assert.Equal(v8.Select(BitConverter.DoubleToInt64Bits), bytes.Select(v => BitConverter.DoubleToInt64Bits(BlurHash.SrgbToLinear((int)v))));
    }

    [Fact]
    public void A_wholly_transparent_image_hashes_as_the_reference_does_and_has_no_dominant_colour()
    {
        var rgba = new byte[20 * 10 * 4];

        AssertSameAsReference(20, 10, rgba);
        Assert.Null(DominantColor.Of(rgba));
    }

    [Fact]
    public void The_dominant_colour_is_the_fullest_bin_not_the_mean()
    {
        // Three quarters pure red, one quarter blue, plus transparent green that must not vote.
        var rgba = new byte[16 * 4];
        for (var i = 0; i < 16; i++)
        {
            (rgba[i * 4], rgba[i * 4 + 1], rgba[i * 4 + 2], rgba[i * 4 + 3]) = i switch
            {
                < 9 => ((byte)250, (byte)10, (byte)20, (byte)255),
                < 12 => ((byte)0, (byte)0, (byte)255, (byte)255),
                _ => ((byte)0, (byte)255, (byte)0, (byte)0),
            };
        }

        Assert.Equal("#fa0a14", DominantColor.Of(rgba));
    }

    [Fact]
    public void The_photo_preview_has_a_dominant_colour_near_its_pixels()
    {
        var preview = PreviewOf(File.ReadAllBytes(RepositoryPaths.Image("gray.jpg")));

        var hex = DominantColor.Of(preview.Rgba)!;
        Assert.Matches("^#[0-9a-f]{6}$", hex);
        // A greyscale source has a grey dominant colour.
        var (r, g, b) = (Convert.ToInt32(hex[1..3], 16), Convert.ToInt32(hex[3..5], 16), Convert.ToInt32(hex[5..7], 16));
        Assert.True(Math.Abs(r - g) <= 2 && Math.Abs(g - b) <= 2, hex);
    }

    private static void AssertSameAsReference(int width, int height, byte[] rgba)
    {
        var (thumbHash, blurHash) = PlaceholderReference.Hashes(width, height, rgba);

        Assert.Equal(thumbHash, ThumbHash.Encode(width, height, rgba));
        Assert.Equal(blurHash, BlurHash.Encode(rgba, width, height));
    }

    private SourcePreview PreviewOf(byte[] source) =>
        _converter.ConvertImage(source, [new OutputRequest("x.png", OutputFormat.Png, new OutputBox(64, 64), null, null)]).Source.Preview;

    /// <summary>A gradient with a pattern, so every DCT term has something to say.</summary>
    private static byte[] Png(int width, int height, bool translucent)
    {
        var info = new SKImageInfo(width, height, SKColorType.Rgba8888, translucent ? SKAlphaType.Unpremul : SKAlphaType.Opaque);
        using var bitmap = new SKBitmap(info);
        for (var y = 0; y < height; y++)
        for (var x = 0; x < width; x++)
            bitmap.SetPixel(x, y, new SKColor((byte)(x * 255 / width), (byte)(y * 255 / height), (byte)((x ^ y) * 37),
                translucent ? (byte)(40 + (x + y) % 200) : (byte)255));
        using var data = bitmap.Encode(SKEncodedImageFormat.Png, 100);
        return data.ToArray();
    }
}
