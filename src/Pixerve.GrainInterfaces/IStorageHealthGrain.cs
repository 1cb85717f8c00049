using Orleans.Concurrency;

namespace Pixerve;

/// <summary>
/// The cluster's view of the storage circuits (one activation, key 0, kept in memory). Each silo's breakers report
/// when a circuit opens or closes; <c>GET /health</c> reads the worst state per backend and credential.
/// </summary>
[Alias("pixerve.IStorageHealthGrain")]
public interface IStorageHealthGrain : IGrainWithIntegerKey
{
    [OneWay, Alias("Report")]
    Task Report(CircuitReport report);

    /// <summary>Per backend and credential, the worst state any silo reported.</summary>
    [ReadOnly, Alias("GetCircuits")]
    Task<IReadOnlyList<CircuitReport>> GetCircuits();
}

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
