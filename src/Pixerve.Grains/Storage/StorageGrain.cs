using System.Diagnostics;
using System.Text;
using Microsoft.Extensions.Logging;
using Orleans.Concurrency;
using Pixerve.Storage;
using Pixerve.Storage.Filesystem;
using Pixerve.Storage.Resilience;

namespace Pixerve.Grains.Storage;

/// <inheritdoc cref="IStorageGrain"/>
/// <remarks>
/// A thin grain: it resolves the credential and hands each file to <see cref="StorageResilience"/>, which owns the
/// retries and the circuit of every backend and credential on this silo.
/// </remarks>
[StatelessWorker]
public sealed class StorageGrain(
    ObjectStores stores,
    DirectHostStore directHost,
    StorageResilience resilience,
    ILogger<StorageGrain> logger) : Grain, IStorageGrain
{
    private string Kind => this.GetPrimaryKeyString();

    public async Task<StoreResult> Store(StoreRequest request, CancellationToken cancellationToken)
    {
        var target = new StorageTarget(Kind, request.CredentialKey);
        var (store, openError) = await OpenAsync(request.CredentialKey);
        if (store is null) return new StoreResult([], $"storage {target.Label}: {openError}");

        var files = new List<StoredFile>(request.Files.Count);
        await using (store)
        {
            foreach (var file in request.Files)
            {
                var relative = request.SubDir.Length == 0 ? file.Name : $"{request.SubDir}/{file.Name}";
                var started = Stopwatch.GetTimestamp();
                try
                {
                    // Create-only: a file already there is the same work's (a rerun), kept, and listed with its own size.
                    var stored = await resilience.PutAsync(target, store, relative, file.Bytes, file.ContentType, file.Fingerprint, cancellationToken);
                    RecordWrite(started, "ok");
                    files.Add(new StoredFile(file.Name, Kind, stored.Location, stored.Bytes, file.Width, file.Height));
                }
                catch (StorageUnavailableException e)
                {
                    // Refused untried: nothing was written, so no write to time.
                    logger.LogInformation("Storage {Target} refused {Name}: {Error}", target, file.Name, e.Message);
                    return new StoreResult(files, e.Message);
                }
                catch (StorageWriteException e)
                {
                    RecordWrite(started, "error");
                    logger.LogWarning(e.InnerException, "Storage {Label} failed writing {Name}", target.Label, file.Name);
                    return new StoreResult(files, e.Message);
                }
            }
        }

        return new StoreResult(files, null);
    }

    public async Task<string?> Probe(string credentialKey, CancellationToken cancellationToken)
    {
        var (store, openError) = await OpenAsync(credentialKey);
        if (store is null) return openError;
        await using (store)
        {
            var name = $".pixerve-probe-{Guid.NewGuid():N}.txt";
            try
            {
                await store.PutAsync(name, Encoding.UTF8.GetBytes("pixerve credential probe\n"), "text/plain", null, cancellationToken);
                await store.DeleteAsync(name, cancellationToken);
            }
            catch (Exception e) when (!cancellationToken.IsCancellationRequested)
            {
                logger.LogInformation(e, "Probe of {Kind} credential {Key} failed", Kind, credentialKey);
                return store.Describe(e);
            }
        }

        await resilience.ConfirmWorkingAsync(new StorageTarget(Kind, credentialKey));
        return null;
    }

    private void RecordWrite(long started, string outcome) => PixerveMetrics.StorageWriteDuration.Record(
        Stopwatch.GetElapsedTime(started).TotalSeconds,
        new KeyValuePair<string, object?>("backend", Kind), new KeyValuePair<string, object?>("outcome", outcome));

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
            return (stores.Open(credential.ForStorage()), null);
        }
        catch (Exception e)
        {
            return (null, $"cannot open the backend with credential '{credentialKey}': {e.Message}");
        }
    }
}
