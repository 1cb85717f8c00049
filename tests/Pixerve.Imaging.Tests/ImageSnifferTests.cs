using Pixerve.Testing;


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

    [Theory]
    [InlineData("avif", "", SourceFormat.Avif)]
    [InlineData("avif", "mif1 miaf", SourceFormat.Avif)]
    [InlineData("heic", "mif1 heic miaf", SourceFormat.Heic)]
    [InlineData("heix", "", SourceFormat.Heic)]
    [InlineData("heim", "", SourceFormat.Heic)]
    [InlineData("heis", "", SourceFormat.Heic)]
    [InlineData("hevc", "msf1", SourceFormat.Heic)]
    [InlineData("hevx", "", SourceFormat.Heic)]
    [InlineData("mif1", "heic", SourceFormat.Heic)]
    [InlineData("msf1", "miaf hevc", SourceFormat.Heic)]
    [InlineData("mif1", "avif", SourceFormat.Avif)]
    [InlineData("mif1", "heic avif", SourceFormat.Avif)] // AV1 wins when both are named
    [InlineData("mif1", "miaf", null)] // a HEIF that names no codec
    [InlineData("avis", "", null)] // AVIF sequences are not taken
    [InlineData("isom", "mp41", null)] // an MP4 video
    [InlineData("qt  ", "", null)]
    public void Iso_bmff_is_decided_by_its_ftyp_brands(string major, string compatible, SourceFormat? expected)
    {
        var brands = compatible.Split(' ', StringSplitOptions.RemoveEmptyEntries).SelectMany(b => System.Text.Encoding.ASCII.GetBytes(b)).ToArray();
        byte[] ftyp = [0, 0, 0, (byte)(16 + brands.Length), .. "ftyp"u8, .. System.Text.Encoding.ASCII.GetBytes(major), 0, 0, 0, 0, .. brands];
        // What follows the ftyp box (here: a meta box header) is not read as a brand.
        byte[] header = [.. ftyp, 0, 0, 0, 0x20, .. "metaheic"u8];

        Assert.Equal(expected, ImageSniffer.Detect(header));
    }

    [Fact]
    public void The_heic_test_image_is_sniffed_as_heic() =>
        Assert.Equal(SourceFormat.Heic, ImageSniffer.Detect(File.ReadAllBytes(RepositoryPaths.Image("portrait-irot.heic")).AsSpan(0, ImageSniffer.HeaderLength)));

    [Fact]
    public void Text_is_not_an_image() =>
        Assert.Null(ImageSniffer.Detect(File.ReadAllBytes(RepositoryPaths.Image("hostile/not-an-image.jpg"))));
}
