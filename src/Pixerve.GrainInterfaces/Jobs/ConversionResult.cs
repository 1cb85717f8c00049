namespace Pixerve;

/// <summary>Either the stored files or, when the source cannot be converted, why in words a user understands.</summary>
[GenerateSerializer, Alias("pixerve.ConversionResult"), Immutable]
public sealed record ConversionResult(
    [property: Id(0)] IReadOnlyList<StoredFile> Files,
    [property: Id(1)] string? Error)
{
    public static ConversionResult Failure(string error) => new([], error);
}
