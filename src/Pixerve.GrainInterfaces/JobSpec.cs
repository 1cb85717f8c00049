namespace Pixerve;

/// <summary>What a job token asks for: the <c>job</c> claim of DESIGN.md §2, validated.</summary>
[GenerateSerializer, Alias("pixerve.JobSpec"), Immutable]
public sealed record JobSpec
{
    [Id(0)] public required IReadOnlyList<FormatRequest> Formats { get; init; }
    [Id(1)] public bool KeepOriginal { get; init; }
    [Id(2)] public IReadOnlyDictionary<string, string> StorageKeys { get; init; } = new Dictionary<string, string>();
    [Id(3)] public bool DirectHost { get; init; }
    [Id(4)] public string SubDir { get; init; } = "";
    [Id(5)] public string? CompletionCallback { get; init; }
    [Id(6)] public IReadOnlyDictionary<string, string> CallbackHeaders { get; init; } = new Dictionary<string, string>();
    [Id(7)] public int Priority { get; init; }
}

[GenerateSerializer, Alias("pixerve.FormatRequest"), Immutable]
public sealed record FormatRequest(
    [property: Id(0)] OutputFormat Format,
    [property: Id(1)] int? Quality,
    [property: Id(2)] int? Speed,
    [property: Id(3)] IReadOnlyList<BoxSize> Sizes);

/// <summary>A box the image is fitted inside, aspect kept, never upscaled.</summary>
[GenerateSerializer, Alias("pixerve.BoxSize"), Immutable]
public readonly record struct BoxSize([property: Id(0)] int Width, [property: Id(1)] int Height);

[GenerateSerializer, Alias("pixerve.OutputFormat")]
public enum OutputFormat
{
    Jpg,
    Png,
    Webp,
    Avif,
    /// <summary>A byte-exact copy of the upload.</summary>
    Original,
}
