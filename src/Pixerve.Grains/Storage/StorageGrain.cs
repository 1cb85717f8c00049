using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Orleans.Concurrency;
using Pixerve.GrainInterfaces.Credentials;
using Pixerve.GrainInterfaces.Jobs;
using Pixerve.GrainInterfaces.Storage;
using Pixerve.Grains.Credentials;
using Pixerve.ServiceDefaults;
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
    StorageProviderRegistry providers,
    DirectHostStore directHost,
    StorageResilience resilience,
    ResolvedCredentials credentials,
    ILogger<StorageGrain> logger) : Grain, IStorageGrain
{
    private string Kind => this.GetPrimaryKeyString();

    public async Task<StoreResult> Store(StoreRequest request, CancellationToken cancellationToken)
    {
        var target = new StorageTarget(Kind, request.CredentialKey);
        var correlationId = request.CorrelationId ?? JobError.NewCorrelationId();
        var (store, openError) = await OpenAsync(request.CredentialKey);
        if (store is null)
        {
            var error = openError! with
            {
                Message = $"storage {target.Label}: {openError!.Message}",
                CorrelationId = correlationId,
                Detail = $"storage {target.Label}: {openError.Detail}",
            };
            logger.LogWarning("Storage {Target} could not be opened [{CorrelationId}]: {Error}", target, correlationId, error.Detail);
            return new StoreResult([], error);
        }

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
                    logger.LogInformation("Storage {Target} refused {Name} [{CorrelationId}]: {Error}", target, file.Name, correlationId, e.Message);
                    return new StoreResult(files, Failed(e, correlationId));
                }
                catch (StorageWriteException e)
                {
                    RecordWrite(started, "error");
                    logger.LogWarning(e.InnerException, "Storage {Label} failed writing {Name} [{CorrelationId}]: {Error}",
                        target.Label, file.Name, correlationId, e.Message);
                    return new StoreResult(files, Failed(e, correlationId));
                }
            }
        }

        return new StoreResult(files, null);
    }

    public async Task<string?> Probe(string credentialKey, CancellationToken cancellationToken)
    {
        var (store, openError) = await OpenAsync(credentialKey);
        // The probe is the admin's: it answers in full.
        if (store is null) return openError!.Detail;
        await using (store)
        {
            try
            {
                // The provider's own health probe: by default a write and its delete, which is what jobs do.
                await providers.Get(Kind).ProbeAsync(store, cancellationToken);
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

    /// <summary>The job's error: the resilience layer already wrote both registers of it.</summary>
    private static JobError Failed(StorageWriteException error, string correlationId) =>
        new(JobErrorCategory.Storage, error.SafeMessage, correlationId, error.Message);

    private void RecordWrite(long started, string outcome) => PixerveMetrics.StorageWriteDuration.Record(
        Stopwatch.GetElapsedTime(started).TotalSeconds,
        new KeyValuePair<string, object?>("backend", Kind), new KeyValuePair<string, object?>("outcome", outcome));

    /// <summary>The store, or why not (its correlation id left to the caller).</summary>
    /// <remarks>
    /// The token holder named the key, so saying that no credential has that name, or that it is of another type,
    /// tells them nothing new. Why a credential's settings cannot open its backend can quote them: that is the admin's.
    /// </remarks>
    private async Task<(IObjectStore? Store, JobError? Error)> OpenAsync(string? credentialKey)
    {
        if (credentialKey is null)
            return Kind == DirectHostStore.Backend ? (directHost.Open(), null) : (null, CredentialError("no credential key was given"));

        var stored = await GrainFactory.GetGrain<ICredentialStoreGrain>(0).Resolve(credentialKey);
        if (stored is null) return (null, CredentialError($"no credential named '{credentialKey}' (was it deleted?)"));
        var credential = await credentials.DecryptAsync(stored);
        if (credential.Type != Kind)
            return (null, CredentialError($"credential '{credentialKey}' is for {credential.Type}, not {Kind}"));
        try
        {
            return (providers.Open(credential.ForStorage()), null);
        }
        catch (Exception e)
        {
            var cannot = $"cannot open the backend with credential '{credentialKey}'";
            return (null, new JobError(JobErrorCategory.Credential, $"{cannot}: its settings are not usable", null, $"{cannot}: {e.Message}"));
        }
    }

    private static JobError CredentialError(string message) => new(JobErrorCategory.Credential, message, null, message);
}
