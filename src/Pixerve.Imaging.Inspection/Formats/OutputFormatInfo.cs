namespace Pixerve.Imaging.Inspection.Formats;

/// <summary>
/// Everything Pixerve knows about one output format except how to encode it (that is its encoder's, in
/// Pixerve.Imaging, found by <see cref="Format"/>): the claim parser, the output plan, the converter, <c>/files</c> and
/// the OpenAPI document read it from <see cref="OutputFormats"/>.
/// </summary>
public sealed record OutputFormatInfo
{
    public required OutputFormat Format { get; init; }

    /// <summary>The job claim's key (<c>formats.&lt;name&gt;</c>), the outputs' <c>format</c> and the metrics' <c>format</c> tag.</summary>
    public required string Name { get; init; }

    /// <summary>Other claim keys accepted for it (<c>jpeg</c> for <c>jpg</c>). Claim keys are case-insensitive.</summary>
    public IReadOnlyList<string> Aliases { get; init; } = [];

    /// <summary>The file extension of its outputs, without the dot; null for a copy, which keeps its source's.</summary>
    public string? Extension { get; init; }

    /// <summary>The MIME type its outputs are stored and served with; null for a copy, which keeps its source's.</summary>
    public string? ContentType { get; init; }

    /// <summary><c>settings.quality</c> when the claim leaves it out; null when the format ignores quality.</summary>
    public int? DefaultQuality { get; init; }

    /// <summary><c>settings.speed</c> when the claim leaves it out; null when the format ignores speed.</summary>
    public int? DefaultSpeed { get; init; }

    /// <summary>Whether an animated source's outputs in this format keep its frames (unless <c>settings.animated</c> is false).</summary>
    public bool Animates { get; init; }

    /// <summary>
    /// Where its encodes are queued in one conversion, dearest first (0): the longest job first keeps the conversion
    /// threads busy to the end.
    /// </summary>
    public int CostRank { get; init; }

    /// <summary>A byte-exact copy of the upload: no box, no encoder, the source's extension and content type.</summary>
    public bool IsCopy { get; init; }
}
