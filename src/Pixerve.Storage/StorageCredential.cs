using System.Globalization;

namespace Pixerve.Storage;

/// <summary>
/// A credential as a backend reads it: its key, its backend (<c>s3</c>, <c>gcs</c>, …) and every field, secrets
/// included (the caller decrypted them). The gateway validated the fields when they were posted, so a missing
/// required one is a bug or a stale credential, reported by name.
/// </summary>
public sealed record StorageCredential(string Key, string Backend, IReadOnlyDictionary<string, string> Fields)
{
    public string Required(string field) =>
        Optional(field) ?? throw new InvalidOperationException($"credential '{Key}' has no {field}");

    public string? Optional(string field) => Fields.TryGetValue(field, out var value) && value.Length > 0 ? value : null;

    public bool Flag(string field) => Optional(field) is { } value && bool.Parse(value);

    public int Int(string field, int fallback) =>
        Optional(field) is { } value ? int.Parse(value, CultureInfo.InvariantCulture) : fallback;
}
