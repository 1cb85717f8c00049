using Pixerve.Storage.Credentials;

namespace Pixerve.Storage.Filesystem;

/// <summary>The fields of a <c>direct</c> credential: the provider declares them, <see cref="DirectStorageSettings"/> reads them.</summary>
public static class DirectCredentialFields
{
    public static readonly CredentialField Path = new("path", "absolute directory on every silo",
        CredentialFieldKind.AbsolutePath, Required: true);

    public static readonly CredentialField BaseUrl = new("base_url", "public URL of that directory; without it, locations are paths relative to it",
        CredentialFieldKind.Url);

    public static readonly IReadOnlyList<CredentialField> All = [Path, BaseUrl];
}
