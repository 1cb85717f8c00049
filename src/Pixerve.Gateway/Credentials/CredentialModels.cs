using System.Text.Json;
using Pixerve.GrainInterfaces.Credentials;
using Pixerve.Storage;
using Pixerve.Storage.Credentials;

namespace Pixerve.Gateway.Credentials;

/// <summary>The body of <c>POST /admin/credentials</c> (documentation; the handler validates the JSON itself to name bad fields).</summary>
public sealed record CredentialRequest(string Key, string Type, IReadOnlyDictionary<string, object> Data);

public sealed record CredentialListItem(string Key, string Type);

public sealed record CredentialListResponse(IReadOnlyList<CredentialListItem> Credentials);

/// <param name="Data">The non-secret fields only.</param>
/// <param name="SecretFields">Which secrets are set; their values are never answered.</param>
public sealed record CredentialResponse(string Key, string Type, IReadOnlyDictionary<string, object> Data, IReadOnlyList<string> SecretFields, DateTimeOffset UpdatedAt)
{
    public static CredentialResponse From(CredentialSummary credential, StorageProviderRegistry providers) => new(credential.Key, credential.Type,
        CredentialSchema.Typed(credential, providers), credential.SecretFields, credential.UpdatedAt);
}

public sealed record CredentialTestResponse(string Key, string Type, bool Ok);

/// <summary><c>GET /admin/credential-types</c>: the registered storage providers, for the admin's form and for clients.</summary>
public sealed record CredentialTypesResponse(IReadOnlyList<CredentialTypeInfo> Types)
{
    public static CredentialTypesResponse From(StorageProviderRegistry providers) => new(providers.All
        .Select(p => new CredentialTypeInfo(p.Name, p.Description, p.Fields.Select(CredentialFieldInfo.From).ToList()))
        .ToList());
}

public sealed record CredentialTypeInfo(string Type, string Description, IReadOnlyList<CredentialFieldInfo> Fields);

/// <param name="Kind">How the value is posted and checked: <c>text</c>, <c>verbatim</c> (kept as posted), <c>url</c>,
/// <c>flag</c> (boolean), <c>port</c> (1-65535), <c>absolute_path</c> or <c>json_object</c>.</param>
/// <param name="Secret">Encrypted at rest and never answered.</param>
/// <param name="Aliases">Other names accepted when posted.</param>
public sealed record CredentialFieldInfo(string Name, string Kind, bool Required, bool Secret, string Description, string? Default, IReadOnlyList<string> Aliases)
{
    public static CredentialFieldInfo From(CredentialField field) =>
        new(field.Name, KindName(field.Kind), field.Required, field.Secret, field.Description, field.Default, field.Aliases);

    public static string KindName(CredentialFieldKind kind) => JsonNamingPolicy.SnakeCaseLower.ConvertName(kind.ToString());
}
