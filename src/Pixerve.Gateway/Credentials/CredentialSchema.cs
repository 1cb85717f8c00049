using System.Text.Json;
using System.Text.RegularExpressions;
using Pixerve.GrainInterfaces.Credentials;
using Pixerve.Storage;
using Pixerve.Storage.Credentials;

namespace Pixerve.Gateway.Credentials;

/// <summary>
/// A credential the server refuses. <see cref="Field"/> names the first input at fault (<c>key</c>, <c>type</c>,
/// <c>data</c> or <c>data.&lt;field&gt;</c>); <see cref="Errors"/> holds every one found.
/// </summary>
public sealed class CredentialException(string field, string message, IReadOnlyList<CredentialFieldError>? errors = null)
    : Exception($"{field}: {message}")
{
    public string Field { get; } = field;

    public IReadOnlyList<CredentialFieldError> Errors { get; } = errors ?? [new(field, message)];
}

/// <summary>
/// <c>POST /admin/credentials</c>'s body read against the registered storage providers: the credential's type must
/// be one of their names, and its fields are the provider's own (<see cref="CredentialValidation"/>). Nothing here
/// lists a backend or a field.
/// </summary>
public static partial class CredentialSchema
{
    /// <summary>Validates <c>{key, type, data}</c> into a definition whose secrets are split from its settings.</summary>
    public static CredentialDefinition Parse(JsonElement body, StorageProviderRegistry providers)
    {
        if (body.ValueKind != JsonValueKind.Object) throw new CredentialException("body", "must be a JSON object {key, type, data}");
        var key = body.TryGetProperty("key", out var k) && k.ValueKind == JsonValueKind.String ? k.GetString()! : "";
        if (!KeyPattern().IsMatch(key)) throw new CredentialException("key", "must be 1-64 characters of A-Z a-z 0-9 . _ -");
        var typeName = body.TryGetProperty("type", out var t) && t.ValueKind == JsonValueKind.String ? t.GetString() : null;
        if (!providers.TryGet(typeName, out var provider))
            throw new CredentialException("type", $"must be a registered storage type: {providers.NameList}");
        if (!body.TryGetProperty("data", out var data) || data.ValueKind != JsonValueKind.Object)
            throw new CredentialException("data", "must be an object of the credential's fields");

        var fields = CredentialValidation.Read(provider, data);
        if (!fields.IsValid)
        {
            var errors = fields.Errors.Select(e => e with { Field = $"data.{e.Field}" }).ToList();
            throw new CredentialException(errors[0].Field, errors[0].Message, errors);
        }

        return new CredentialDefinition(key, provider.Name, fields.Settings, fields.Secrets);
    }

    /// <summary>A stored credential's settings as JSON values (flags and ports typed again); as stored when its provider is no longer registered.</summary>
    public static IReadOnlyDictionary<string, object> Typed(CredentialSummary credential, StorageProviderRegistry providers) =>
        CredentialValidation.Typed(providers.TryGet(credential.Type, out var provider) ? provider : null, credential.Settings);

    [GeneratedRegex(@"\A[A-Za-z0-9._-]{1,64}\z")] // \z: '$' would let a trailing newline through
    private static partial Regex KeyPattern();
}
