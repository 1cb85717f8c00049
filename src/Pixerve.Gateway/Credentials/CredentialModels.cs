using Pixerve.GrainInterfaces.Credentials;

namespace Pixerve.Gateway.Credentials;

/// <summary>The body of <c>POST /admin/credentials</c> (documentation; the handler validates the JSON itself to name bad fields).</summary>
public sealed record CredentialRequest(string Key, string Type, IReadOnlyDictionary<string, object> Data);

public sealed record CredentialListItem(string Key, string Type);

public sealed record CredentialListResponse(IReadOnlyList<CredentialListItem> Credentials);

/// <param name="Data">The non-secret fields only.</param>
/// <param name="SecretFields">Which secrets are set; their values are never answered.</param>
public sealed record CredentialResponse(string Key, string Type, IReadOnlyDictionary<string, object> Data, IReadOnlyList<string> SecretFields, DateTimeOffset UpdatedAt)
{
    public static CredentialResponse From(CredentialSummary credential) => new(credential.Key, credential.Type.ToWire(),
        CredentialSchema.Typed(credential.Type, credential.Settings), credential.SecretFields, credential.UpdatedAt);
}

public sealed record CredentialTestResponse(string Key, string Type, bool Ok);
