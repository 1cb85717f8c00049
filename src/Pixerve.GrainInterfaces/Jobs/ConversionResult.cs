namespace Pixerve;

/// <summary>Either the stored files or, when the source cannot be converted, why in words a user understands.</summary>
[GenerateSerializer, Alias("pixerve.ConversionResult"), Immutable]
public sealed record ConversionResult(
    [property: Id(0)] IReadOnlyList<StoredFile> Files,
    [property: Id(1)] string? Error)
{
    /// <summary>The source's description and placeholders; null when it could not be decoded.</summary>
    [Id(2)] public SourceInfo? Source { get; init; }

    /// <summary>Every output made, in plan order, once each whatever the number of backends.</summary>
    [Id(3)] public IReadOnlyList<OutputInfo> Outputs { get; init; } = [];

    public static ConversionResult Failure(string error) => new([], error);
}
