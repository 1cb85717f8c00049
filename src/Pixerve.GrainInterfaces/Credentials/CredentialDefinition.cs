namespace Pixerve.GrainInterfaces.Credentials;

/// <summary>A storage credential as an administrator posted it: plain settings and, apart, its secrets.</summary>
/// <param name="Type">The storage provider's registered name (<c>s3</c>, <c>direct</c>, …), checked by the gateway against its registry.</param>
/// <param name="Settings">Non-secret fields (bucket, host, …), snake_case names, values as strings.</param>
/// <param name="Secrets">Secret fields (keys, passwords); encrypted at rest, never answered over HTTP.</param>
[GenerateSerializer, Alias("pixerve.CredentialDefinition"), Immutable]
public sealed record CredentialDefinition(
    [property: Id(0)] string Key,
    [property: Id(1)] string Type,
    [property: Id(2)] IReadOnlyDictionary<string, string> Settings,
    [property: Id(3)] IReadOnlyDictionary<string, string> Secrets);
