namespace Pixerve.GrainInterfaces.Credentials;

/// <summary>What may be shown about a credential: everything except the secrets' values.</summary>
[GenerateSerializer, Alias("pixerve.CredentialSummary"), Immutable]
public sealed record CredentialSummary(
    [property: Id(0)] string Key,
    [property: Id(1)] string Type,
    [property: Id(2)] IReadOnlyDictionary<string, string> Settings,
    [property: Id(3)] IReadOnlyList<string> SecretFields,
    [property: Id(4)] DateTimeOffset UpdatedAt);
