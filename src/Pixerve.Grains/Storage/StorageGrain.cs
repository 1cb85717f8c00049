using System.Diagnostics;
using System.Text;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Concurrency;

namespace Pixerve.Grains.Storage;

/// <inheritdoc cref="IStorageGrain"/>
[StatelessWorker]
public sealed class StorageGrain(
    ObjectStoreFactory factory,
    DirectHostStore directHost,
    CircuitBreakers breakers,
    IOptions<StorageResilienceOptions> options,
    ILogger<StorageGrain> logger) : Grain, IStorageGrain
{
    private string Kind => this.GetPrimaryKeyString();

    public static string CircuitName(string kind, string? credentialKey) => $"{kind}:{credentialKey ?? "(serve directory)"}";

    public async Task<StoreResult> Store(StoreRequest request)
    {
        var label = request.CredentialKey is null ? "direct (serve directory)" : $"{Kind} '{request.CredentialKey}'";
        var circuit = CircuitName(Kind, request.CredentialKey);
        if (breakers.TryEnter(circuit) is { } refusal)
            return new StoreResult([], $"storage {label} is unavailable: {refusal}");

        var (store, openError) = await OpenAsync(request.CredentialKey);
        if (store is null) return new StoreResult([], $"storage {label}: {openError}");

        var files = new List<StoredFile>(request.Files.Count);
        await using (store)
        {
            foreach (var file in request.Files)
            {
                var relative = request.SubDir.Length == 0 ? file.Name : $"{request.SubDir}/{file.Name}";
                var started = Stopwatch.GetTimestamp();
                try
                {
                    var location = await WithRetriesAsync(store, label, () => store.PutAsync(relative, file, CancellationToken.None));
                    RecordWrite(started, "ok");
                    files.Add(new StoredFile(file.Name, Kind, location, file.Bytes.Length, file.Width, file.Height));
                }
                catch (Exception e)
                {
                    RecordWrite(started, "error");
                    var error = $"storage {label} failed writing {file.Name}: {store.Describe(e)}";
                    logger.LogWarning(e, "Storage {Label} failed writing {Name}", label, file.Name);
                    if (breakers.Failed(circuit, error)) ReportCircuit(request.CredentialKey, "open", error);
                    return new StoreResult(files, error);
                }
            }
        }

        if (breakers.Succeeded(circuit)) ReportCircuit(request.CredentialKey, "closed", null);
        return new StoreResult(files, null);
    }

    public async Task<string?> Probe(string credentialKey)
    {
        var (store, openError) = await OpenAsync(credentialKey);
        if (store is null) return openError;
        await using (store)
        {
            var name = $".pixerve-probe-{Guid.NewGuid():N}.txt";
            var probe = new OutputFile(name, "text/plain", Encoding.UTF8.GetBytes("pixerve credential probe\n"), 0, 0);
            try
            {
                await store.PutAsync(name, probe, CancellationToken.None);
                await store.DeleteAsync(name, CancellationToken.None);
            }
            catch (Exception e)
            {
                logger.LogInformation(e, "Probe of {Kind} credential {Key} failed", Kind, credentialKey);
                return store.Describe(e);
            }
        }

        if (breakers.Succeeded(CircuitName(Kind, credentialKey))) ReportCircuit(credentialKey, "closed", null);
        return null;
    }

    private void RecordWrite(long started, string outcome) => PixerveMetrics.StorageWriteDuration.Record(
        Stopwatch.GetElapsedTime(started).TotalSeconds,
        new KeyValuePair<string, object?>("backend", Kind), new KeyValuePair<string, object?>("outcome", outcome));

    /// <summary>Tells the cluster's health view that a circuit changed (one-way: never delays the job).</summary>
    private void ReportCircuit(string? credentialKey, string state, string? error)
    {
        if (state == "open") logger.LogWarning("Storage circuit {Circuit} opened: {Error}", CircuitName(Kind, credentialKey), error);
        else logger.LogInformation("Storage circuit {Circuit} closed", CircuitName(Kind, credentialKey));
        _ = GrainFactory.GetGrain<IStorageHealthGrain>(0)
            .Report(new CircuitReport(RuntimeIdentity, Kind, credentialKey, state, error, DateTimeOffset.UtcNow));
    }

    private async Task<(IObjectStore? Store, string? Error)> OpenAsync(string? credentialKey)
    {
        if (credentialKey is null)
            return Kind == DirectHostStore.Backend ? (directHost.Open(), null) : (null, "no credential key was given");

        var credential = await GrainFactory.GetGrain<ICredentialStoreGrain>(0).Resolve(credentialKey);
        if (credential is null) return (null, $"no credential named '{credentialKey}' (was it deleted?)");
        if (credential.Type.ToWire() != Kind)
            return (null, $"credential '{credentialKey}' is for {credential.Type.ToWire()}, not {Kind}");
        try
        {
            return (factory.Open(credential), null);
        }
        catch (Exception e)
        {
            return (null, $"cannot open the backend with credential '{credentialKey}': {e.Message}");
        }
    }

    private async Task<T> WithRetriesAsync<T>(IObjectStore store, string label, Func<Task<T>> operation)
    {
        var delay = options.Value.FirstRetryDelay;
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await operation();
            }
            catch (Exception e) when (attempt < options.Value.Attempts && store.IsTransient(e))
            {
                logger.LogInformation("Storage {Label} attempt {Attempt} failed ({Error}); retrying in {Delay}", label, attempt, e.Message, delay);
                await Task.Delay(delay);
                delay *= 2;
            }
        }
    }
}
