namespace Pixerve;

[GenerateSerializer, Alias("pixerve.FormatRequest"), Immutable]
public sealed record FormatRequest(
    [property: Id(0)] OutputFormat Format,
    [property: Id(1)] int? Quality,
    [property: Id(2)] int? Speed,
    [property: Id(3)] IReadOnlyList<BoxSize> Sizes);
