namespace Pixerve;

/// <summary>The kinds of storage backend a credential can open; the lowercase name is the wire form.</summary>
[GenerateSerializer, Alias("pixerve.CredentialType")]
public enum CredentialType
{
    S3,
    Gcs,
    Sftp,
    Direct,
}

public static class CredentialTypes
{
    public static string ToWire(this CredentialType type) => type.ToString().ToLowerInvariant();

    public static bool TryParse(string? value, out CredentialType type)
    {
        type = default;
        return value is "s3" or "gcs" or "sftp" or "direct" && Enum.TryParse(value, ignoreCase: true, out type);
    }
}

/// <summary>A storage credential as an administrator posted it: plain settings and, apart, its secrets.</summary>
/// <param name="Settings">Non-secret fields (bucket, host, …), snake_case names, values as strings.</param>
/// <param name="Secrets">Secret fields (keys, passwords); encrypted at rest, never answered over HTTP.</param>
[GenerateSerializer, Alias("pixerve.CredentialDefinition"), Immutable]
public sealed record CredentialDefinition(
    [property: Id(0)] string Key,
    [property: Id(1)] CredentialType Type,
    [property: Id(2)] IReadOnlyDictionary<string, string> Settings,
    [property: Id(3)] IReadOnlyDictionary<string, string> Secrets);

/// <summary>What may be shown about a credential: everything except the secrets' values.</summary>
[GenerateSerializer, Alias("pixerve.CredentialSummary"), Immutable]
public sealed record CredentialSummary(
    [property: Id(0)] string Key,
    [property: Id(1)] CredentialType Type,
    [property: Id(2)] IReadOnlyDictionary<string, string> Settings,
    [property: Id(3)] IReadOnlyList<string> SecretFields,
    [property: Id(4)] DateTimeOffset UpdatedAt);
