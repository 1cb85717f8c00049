using System.Globalization;
using Pixerve.Storage.Credentials;

namespace Pixerve.Storage;

/// <summary>
/// A credential as a backend reads it: its key, its backend (<c>s3</c>, <c>gcs</c>, …) and every field, secrets
/// included (the caller decrypted them). The gateway validated the fields when they were posted, so a missing
/// required one is a bug or a stale credential, reported by name. Settings classes read it through the provider's
/// declared <see cref="CredentialField"/>s, so a field's name and default are written once.
/// </summary>
public sealed record StorageCredential(string Key, string Backend, IReadOnlyDictionary<string, string> Fields)
{
    public string Required(CredentialField field) =>
        Optional(field) ?? throw new InvalidOperationException($"credential '{Key}' has no {field.Name}");

    /// <summary>The field's value, else its declared default.</summary>
    public string? Optional(CredentialField field) =>
        Fields.TryGetValue(field.Name, out var value) && value.Length > 0 ? value : field.Default;

    public bool Flag(CredentialField field) => Optional(field) is { } value && bool.Parse(value);

    public int Int(CredentialField field) => int.Parse(Required(field), CultureInfo.InvariantCulture);
}
