namespace Pixerve.GrainInterfaces.Storage;

/// <param name="CredentialKey">Null only for the gateway's own serve directory (<c>directHost</c>).</param>
[GenerateSerializer, Alias("pixerve.StoreRequest"), Immutable]
public sealed record StoreRequest(
    [property: Id(0)] string? CredentialKey,
    [property: Id(1)] string SubDir,
    [property: Id(2)] IReadOnlyList<OutputFile> Files)
{
    /// <summary>The run's correlation id, for the log lines of a failed write and for its error.</summary>
    [Id(3)] public string? CorrelationId { get; init; }
}
