using Pixerve.Imaging.Inspection.Formats;

namespace Pixerve.GrainInterfaces.Jobs;

[GenerateSerializer, Alias("pixerve.FormatRequest"), Immutable]
public sealed record FormatRequest(
    [property: Id(0)] OutputFormat Format,
    [property: Id(1)] int? Quality,
    [property: Id(2)] int? Speed,
    [property: Id(3)] IReadOnlyList<BoxSize> Sizes)
{
    /// <summary><c>settings.animated: false</c>: an animated source gives its first frame only.</summary>
    [Id(4)] public bool Still { get; init; }
}
