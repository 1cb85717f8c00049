using Pixerve.GrainInterfaces.Storage;
using Pixerve.Storage.Resilience;

namespace Pixerve.Grains.Storage;

/// <summary>
/// Tells the cluster's health view (<see cref="IStorageHealthGrain"/>) when a circuit on this silo changes. One-way:
/// the write that changed it does not wait for the report.
/// </summary>
public sealed class StorageHealthReporter(IGrainFactory grains, ILocalSiloDetails silo) : ICircuitObserver
{
    public void Changed(CircuitStatus status) =>
        _ = grains.GetGrain<IStorageHealthGrain>(0).Report(new CircuitReport(
            silo.SiloAddress.ToString(), status.Target.Backend, status.Target.CredentialKey, status.Wire, status.LastError, status.ChangedAt));
}
