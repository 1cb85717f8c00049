namespace Pixerve.Storage.Resilience;

/// <summary>
/// Told whenever a circuit opens, half-opens or closes, so the cluster can show it (the grains forward it to the
/// health grain). Called on the pipeline's own thread while the write waits: keep it quick and never throw.
/// </summary>
public interface ICircuitObserver
{
    void Changed(CircuitStatus status);
}
