using NetVips;
using Pixerve.Imaging.Encoders;

namespace Pixerve.Imaging.Tests;

/// <summary>A format is one entry in <see cref="OutputFormats"/> and, unless it is a copy, one encoder class: both held here.</summary>
public sealed class FormatTableTests
{
    [Fact]
    public void Every_output_format_has_one_entry_with_unique_names_and_extensions()
    {
        Assert.Equal(Enum.GetValues<OutputFormat>().Order(), OutputFormats.All.Select(f => f.Format).Order());
        var names = OutputFormats.All.SelectMany(f => f.Aliases.Prepend(f.Name)).ToList();
        Assert.Equal(names.Count, names.Distinct(StringComparer.OrdinalIgnoreCase).Count());
        var encoded = OutputFormats.All.Where(f => !f.IsCopy).ToList();
        Assert.All(encoded, f => Assert.False(string.IsNullOrEmpty(f.Extension) || string.IsNullOrEmpty(f.ContentType), $"{f.Name} lacks an extension or content type"));
        Assert.Equal(encoded.Count, encoded.Select(f => f.Extension).Distinct().Count());
        Assert.All(OutputFormats.All.Where(f => f.IsCopy), f => Assert.True(f.Extension is null && f.ContentType is null, $"{f.Name} is a copy: it keeps its source's"));
        foreach (var f in OutputFormats.All)
        {
            Assert.True(OutputFormats.TryParse(f.Name.ToUpperInvariant(), out var parsed) && parsed == f, f.Name);
            Assert.Same(f, f.Format.Info());
        }
    }

    [Fact]
    public void Every_encoded_format_has_exactly_one_encoder_and_a_copy_none()
    {
        foreach (var format in OutputFormats.All)
        {
            var encoders = OutputEncoders.Found.Where(e => e.Format == format.Format).Select(e => e.GetType().Name).ToList();
            Assert.True(encoders.Count == (format.IsCopy ? 0 : 1),
                $"{format.Name}: {(format.IsCopy ? "a copy has no encoder" : "needs exactly one encoder")}, found [{string.Join(", ", encoders)}]");
        }
    }

    /// <summary>What each encoder writes is what its entry says it is: the sniffed bytes carry the entry's content type.</summary>
    [Fact]
    public void Every_encoder_writes_what_its_entry_names()
    {
        using var image = Image.Black(8, 6, bands: 3).Linear([1.0, 1.0, 1.0], [200.0, 120.0, 40.0]).Cast(Enums.BandFormat.Uchar);
        foreach (var format in OutputFormats.All.Where(f => !f.IsCopy))
        {
            var bytes = OutputEncoders.Encode(image, new OutputRequest($"x.{format.Extension}", format.Format, new OutputBox(8, 6)));
            var sniffed = ImageSniffer.Detect(bytes);
            Assert.True(sniffed is not null, $"{format.Name}: the encoded bytes are not a format Pixerve reads");
            Assert.Equal(format.ContentType, sniffed!.Value.Info().ContentType);
        }
    }

    [Fact]
    public void Animated_outputs_are_those_of_formats_that_animate()
    {
        foreach (var format in OutputFormats.All.Where(f => !f.IsCopy))
        {
            var output = new OutputRequest("x", format.Format, new OutputBox(10, 10));
            Assert.Equal(format.Animates, AnimatedEncoder.Takes(output));
            Assert.False(AnimatedEncoder.Takes(output with { Still = true }));
        }
    }
}
