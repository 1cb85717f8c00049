using Pixerve.GrainInterfaces.Credentials;
using Pixerve.GrainInterfaces.Storage;

namespace Pixerve.Gateway.Health;

/// <param name="Circuit"><c>closed</c> (working or unused), <c>half_open</c> (trying again) or <c>open</c> (failing jobs fast).</param>
public sealed record BackendHealth(string Type, string Circuit, string? LastError, DateTimeOffset? ChangedAt);

/// <summary>
/// Each configured credential's circuit, as the silos reported it. Shown by <c>GET /health</c> without changing its
/// overall status: a dead storage backend fails the jobs that name it, not the gateway.
/// </summary>
public static class StorageBackendsHealth
{
    public static async Task<IReadOnlyDictionary<string, BackendHealth>> GetAsync(IGrainFactory grains, CancellationToken cancellationToken)
    {
        try
        {
            var credentials = grains.GetGrain<ICredentialStoreGrain>(0).List().WaitAsync(TimeSpan.FromSeconds(5), cancellationToken);
            var circuits = grains.GetGrain<IStorageHealthGrain>(0).GetCircuits().WaitAsync(TimeSpan.FromSeconds(5), cancellationToken);
            var reported = (await circuits).ToDictionary(c => (c.Backend, c.CredentialKey));
            var result = new SortedDictionary<string, BackendHealth>(StringComparer.Ordinal);
            foreach (var credential in await credentials)
            {
                var type = credential.Type;
                result[credential.Key] = reported.TryGetValue((type, credential.Key), out var circuit)
                    ? new BackendHealth(type, circuit.State, circuit.LastError, circuit.ChangedAt)
                    : new BackendHealth(type, "closed", null, null);
            }

            if (reported.TryGetValue(("direct", null), out var serveDir))
                result["(serve directory)"] = new BackendHealth("direct", serveDir.State, serveDir.LastError, serveDir.ChangedAt);
            return result;
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            // The cluster check reports the cause; the backends are simply unknown then.
            return new Dictionary<string, BackendHealth>();
        }
    }
}
