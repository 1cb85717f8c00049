using System.Collections.Concurrent;
using Pixerve.Testing;

namespace Pixerve.Imaging.Tests;

/// <summary>
/// The converter tells its progress as it goes: the source once, described as the result describes it, and every
/// output of the plan once under its own plan index, as the result has it (a still source and an animated one, whose
/// still and animated outputs are made apart).
/// </summary>
public sealed class ConversionProgressTests
{
    private readonly ImageConverter _converter = new();

    private sealed class Recorder : IConversionProgress
    {
        public ConcurrentQueue<SourceDescription> Sources { get; } = new();
        public ConcurrentQueue<(int Index, EncodedOutput Output)> Outputs { get; } = new();

        public void Described(SourceDescription source) => Sources.Enqueue(source);

        public void Encoded(int index, EncodedOutput output) => Outputs.Enqueue((index, output));
    }

    [Theory]
    [InlineData("photo-1920x1280-canon.jpg")]
    [InlineData("animated.gif")]
    public void Every_output_is_told_once_under_its_plan_index_and_the_source_once(string image)
    {
        var source = File.ReadAllBytes(RepositoryPaths.Image(image));
        List<OutputRequest> plan =
        [
            new("a.webp", OutputFormat.Webp, new OutputBox(120, 120)),
            new("b.jpg", OutputFormat.Jpg, new OutputBox(64, 64)),
            new("c.gif", OutputFormat.Gif, new OutputBox(80, 80)),
            new("d.png", OutputFormat.Png, new OutputBox(32, 32)),
            new("e.original", OutputFormat.Original, null),
        ];
        var recorder = new Recorder();

        var converted = _converter.ConvertImage(source, plan, progress: recorder);

        Assert.Equal(converted.Source, Assert.Single(recorder.Sources));
        var told = recorder.Outputs.OrderBy(o => o.Index).ToList();
        Assert.Equal(Enumerable.Range(0, plan.Count), told.Select(o => o.Index));
        for (var i = 0; i < plan.Count; i++)
        {
            Assert.Same(plan[i], told[i].Output.Output);
            Assert.Equal((converted.Outputs[i].Width, converted.Outputs[i].Height, converted.Outputs[i].Bytes.Length),
                (told[i].Output.Width, told[i].Output.Height, told[i].Output.Bytes.Length));
        }
    }
}
