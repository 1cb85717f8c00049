using Pixerve.Storage.Credentials;

namespace Pixerve.Storage;

/// <summary>
/// A storage backend as the server knows it: its registered name, the fields of its credentials and their rules,
/// how to open a store with one, and how to tell whether that store works. A backend project declares one and
/// registers it with its <c>Add…Storage()</c>; <see cref="StorageProviderRegistry"/> is the list of them.
/// </summary>
public interface IStorageProvider
{
    /// <summary>
    /// The registered name: a credential's <c>type</c>, a job's <c>storageKeys.&lt;name&gt;</c>, the storage grain's
    /// key and a stored file's <c>backend</c>. Lowercase letters and digits.
    /// </summary>
    string Name { get; }

    /// <summary>One line for the admin page and the OpenAPI document.</summary>
    string Description { get; }

    /// <summary>Every field a credential of this type may have; its settings class reads the same declarations.</summary>
    IReadOnlyList<CredentialField> Fields { get; }

    /// <summary>
    /// Rules across fields (one of two must be set, a value only this backend can judge), asked once every field
    /// passed its own checks (<see cref="CredentialValidation"/>). Errors name the field, without <c>data.</c>.
    /// </summary>
    IEnumerable<CredentialFieldError> Validate(IReadOnlyDictionary<string, string> fields) => [];

    /// <summary>The backend's client for one credential, for one store or probe.</summary>
    IObjectStore Open(StorageCredential credential);

    /// <summary>
    /// The health probe of a credential (<c>POST /admin/credentials/{key}/test</c>): throws what the backend answered
    /// when the store does not work. By default writes a small object and deletes it again.
    /// </summary>
    Task ProbeAsync(IObjectStore store, CancellationToken cancellationToken) => StorageProbe.WriteAndDeleteAsync(store, cancellationToken);
}
