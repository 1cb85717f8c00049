using Microsoft.Extensions.DependencyInjection;
using Orleans.Serialization;
using Pixerve.GrainInterfaces.Jobs;
using Pixerve.Imaging.Inspection.Formats;

namespace Pixerve.Grains.Tests;

/// <summary>
/// The format enums moved out of GrainInterfaces into a BCL-only project, where they cannot carry
/// [GenerateSerializer]: their registered codecs must keep the bytes Orleans wrote before, which stored job state
/// and silos of the previous version read and write.
/// </summary>
public sealed class FormatWireTests
{
    private static readonly Serializer Serializer = new ServiceCollection()
        .AddSerializer(b => b.AddAssembly(typeof(PlannedOutput).Assembly))
        .BuildServiceProvider()
        .GetRequiredService<Serializer>();

    private static readonly PlannedOutput Planned =
        new("n", OutputFormat.Gif, new BoxSize(1, 2, FitMode.Cover, CropGravity.Entropy), 5, 6) { Still = true, Fingerprint = "x" };

    /// <summary>Written by the build before the move (the enums then had [GenerateSerializer] and their aliases).</summary>
    private const string PlannedBefore = "20E840036E011521E80005010901050109E0011501190103410378E0";

    private const string BoxedFormatBefore = "10010F31A15529706978657276652E4F7574707574466F726D61740D";

    [Fact]
    public void A_planned_output_is_written_as_before_the_move_and_reads_back()
    {
        Assert.Equal(PlannedBefore, Convert.ToHexString(Serializer.SerializeToArray(Planned)));
        Assert.Equal(Planned, Serializer.Deserialize<PlannedOutput>(Convert.FromHexString(PlannedBefore)));
    }

    [Fact]
    public void A_format_whose_type_is_not_known_in_advance_keeps_its_alias()
    {
        Assert.Equal(BoxedFormatBefore, Convert.ToHexString(Serializer.SerializeToArray<object>(OutputFormat.Avif)));
        Assert.Equal(OutputFormat.Avif, Serializer.Deserialize<object>(Convert.FromHexString(BoxedFormatBefore)));
    }

    [Fact]
    public void Every_value_of_every_format_enum_round_trips()
    {
        foreach (var format in Enum.GetValues<OutputFormat>())
            Assert.Equal(format, Serializer.Deserialize<FormatRequest>(Serializer.SerializeToArray(new FormatRequest(format, null, null, [])))!.Format);
        foreach (var source in Enum.GetValues<SourceFormat>())
            Assert.Equal(source, Serializer.Deserialize<SourceFormat>(Serializer.SerializeToArray(source)));
    }
}
