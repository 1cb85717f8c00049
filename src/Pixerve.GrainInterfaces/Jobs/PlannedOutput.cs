using Pixerve.Imaging.Inspection.Formats;

namespace Pixerve.GrainInterfaces.Jobs;

/// <summary>One file a job will produce; a job's plan is made once, when it is submitted, and kept in its state.</summary>
/// <param name="Box">Null for a byte-exact copy of the source.</param>
[GenerateSerializer, Alias("pixerve.PlannedOutput"), Immutable]
public sealed record PlannedOutput(
    [property: Id(0)] string Name,
    [property: Id(1)] OutputFormat Format,
    [property: Id(2)] BoxSize? Box,
    [property: Id(3)] int? Quality,
    [property: Id(4)] int? Speed)
{
    /// <summary>
    /// <c>settings.animated: false</c>: an animated source's first frame only. False (the default, and what plans
    /// stored before it existed read as) lets WebP and GIF outputs keep an animated source's frames.
    /// </summary>
    [Id(5)] public bool Still { get; init; }

    /// <summary>
    /// <see cref="OutputFingerprint.Of"/> this output; empty in plans stored before fingerprints existed, which
    /// <see cref="OutputPlan.WithFingerprints"/> fills in.
    /// </summary>
    [Id(6)] public string Fingerprint { get; init; } = "";

    /// <summary>The output's MIME type (<see cref="OutputFormats"/>); a copy's is its source's (<see cref="SourceFormats"/>).</summary>
    public string ContentType(SourceFormat source) => Format.Info().ContentType ?? source.Info().ContentType;
}
