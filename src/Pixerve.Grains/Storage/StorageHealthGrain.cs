using Pixerve.GrainInterfaces.Storage;

namespace Pixerve.Grains.Storage;

/// <inheritdoc cref="IStorageHealthGrain"/>
[KeepAlive]
public sealed class StorageHealthGrain : Grain, IStorageHealthGrain
{
    private readonly Dictionary<(string Backend, string? Key), Dictionary<string, CircuitReport>> _circuits = [];

    public Task Report(CircuitReport report)
    {
        var id = (report.Backend, report.CredentialKey);
        if (!_circuits.TryGetValue(id, out var bySilo)) _circuits[id] = bySilo = new Dictionary<string, CircuitReport>(StringComparer.Ordinal);
        // Reports are one-way and may arrive out of order: keep the newest per silo.
        if (!bySilo.TryGetValue(report.Silo, out var known) || known.ChangedAt <= report.ChangedAt) bySilo[report.Silo] = report;
        return Task.CompletedTask;
    }

    public Task<IReadOnlyList<CircuitReport>> GetCircuits() =>
        Task.FromResult<IReadOnlyList<CircuitReport>>(_circuits.Values
            .Select(bySilo => bySilo.Values.MaxBy(r => (Severity(r.State), r.ChangedAt))!)
            .ToList());

    private static int Severity(string state) => state switch
    {
        "open" => 2,
        "half_open" => 1,
        _ => 0,
    };
}
