namespace Pixerve.GrainInterfaces.Storage;

/// <param name="State"><c>closed</c>, <c>half_open</c> or <c>open</c>.</param>
/// <param name="CredentialKey">Null for the serve directory (<c>directHost</c>).</param>
[GenerateSerializer, Alias("pixerve.CircuitReport"), Immutable]
public sealed record CircuitReport(
    [property: Id(0)] string Silo,
    [property: Id(1)] string Backend,
    [property: Id(2)] string? CredentialKey,
    [property: Id(3)] string State,
    [property: Id(4)] string? LastError,
    [property: Id(5)] DateTimeOffset ChangedAt);
