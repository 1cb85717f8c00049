using Orleans.Concurrency;

namespace Pixerve.GrainInterfaces.Storage;

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
    [ReadOnly, CallableFromGateway, Alias("GetCircuits")]
    Task<IReadOnlyList<CircuitReport>> GetCircuits();
}
