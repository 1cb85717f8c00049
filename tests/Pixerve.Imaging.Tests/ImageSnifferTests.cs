using Pixerve.Tests.Infrastructure;

namespace Pixerve.Imaging.Tests;

public sealed class ImageSnifferTests
{
    [Theory]
    [InlineData("photo-1920x1280-canon.jpg", SourceFormat.Jpeg)]
    [InlineData("alpha.png", SourceFormat.Png)]
    [InlineData("animated.gif", SourceFormat.Gif)]
    [InlineData("photo-wood.webp", SourceFormat.Webp)]
    public void Detects_the_format_from_magic_bytes(string file, SourceFormat expected)
    {
        var header = File.ReadAllBytes(RepositoryPaths.Image(file)).AsSpan(0, ImageSniffer.HeaderLength);
        Assert.Equal(expected, ImageSniffer.Detect(header));
    }

    [Fact]
    public void Avif_is_detected_from_its_ftyp_brand()
    {
        byte[] header = [0, 0, 0, 0x1c, .. "ftypavif"u8, 0, 0, 0, 0];
        Assert.Equal(SourceFormat.Avif, ImageSniffer.Detect(header));
        byte[] heic = [0, 0, 0, 0x1c, .. "ftypheic"u8, 0, 0, 0, 0];
        Assert.Null(ImageSniffer.Detect(heic));
    }

    [Fact]
    public void Text_is_not_an_image() =>
        Assert.Null(ImageSniffer.Detect(File.ReadAllBytes(RepositoryPaths.Image("hostile/not-an-image.jpg"))));
}
