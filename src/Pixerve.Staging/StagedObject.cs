namespace Pixerve.Staging;

/// <summary>A committed object of the staging store as a listing or a read of its properties tells it.</summary>
/// <param name="Tag">Changes whenever the bytes or the metadata do: the condition of a metadata update.</param>
public sealed record StagedObject(string Name, long Length, DateTimeOffset? LastModified, IReadOnlyDictionary<string, string> Metadata, string Tag);
