namespace Pixerve.Storage.Credentials;

/// <summary>What a credential field holds, which decides how it is posted, checked and answered.</summary>
public enum CredentialFieldKind
{
    /// <summary>A string, trimmed.</summary>
    Text,

    /// <summary>A string kept exactly as posted (a key file: its line breaks and final newline matter).</summary>
    Verbatim,

    /// <summary>An absolute http or https URL.</summary>
    Url,

    /// <summary>A JSON boolean.</summary>
    Flag,

    /// <summary>A JSON number from 1 to 65535.</summary>
    Port,

    /// <summary>A fully qualified directory path on the silos.</summary>
    AbsolutePath,

    /// <summary>A JSON object, or a string holding one (a key file), stored as its text.</summary>
    JsonObject,
}

/// <summary>
/// One field of a storage provider's credentials: declared once by the provider, read by its settings class
/// (<c>From</c>), checked by <see cref="CredentialValidation"/>, shown by the admin schema and the OpenAPI document.
/// </summary>
/// <param name="Name">snake_case, as posted and stored.</param>
/// <param name="Secret">Encrypted at rest and never answered.</param>
/// <param name="Default">What an absent field means, as the stored string (shown in the schema).</param>
/// <param name="Aliases">Other snake_case names accepted when posted (<c>user</c> for <c>username</c>).</param>
public sealed record CredentialField(
    string Name,
    string Description,
    CredentialFieldKind Kind = CredentialFieldKind.Text,
    bool Required = false,
    bool Secret = false,
    string? Default = null,
    IReadOnlyList<string>? Aliases = null)
{
    public IReadOnlyList<string> Aliases { get; init; } = Aliases ?? [];
}
