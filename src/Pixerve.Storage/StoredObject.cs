namespace Pixerve.Storage;

/// <summary>What a create-only write left: the file's URL or path, and its size (the existing file's when it <paramref name="Existed"/>).</summary>
public sealed record StoredObject(string Location, long Bytes, bool Existed);
