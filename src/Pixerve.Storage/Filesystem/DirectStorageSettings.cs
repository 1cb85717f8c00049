namespace Pixerve.Storage.Filesystem;

/// <summary>The fields of a <c>direct</c> credential (declared in <see cref="DirectCredentialFields"/>).</summary>
/// <param name="Path">An absolute directory on every silo (a shared mount, say).</param>
/// <param name="BaseUrl">The public URL of that directory, if it is served; otherwise locations are file paths.</param>
public sealed record DirectStorageSettings(string Path, string? BaseUrl)
{
    public static DirectStorageSettings From(StorageCredential credential) =>
        new(credential.Required(DirectCredentialFields.Path), credential.Optional(DirectCredentialFields.BaseUrl));
}
