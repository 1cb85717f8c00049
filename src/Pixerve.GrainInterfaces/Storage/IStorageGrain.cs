namespace Pixerve.GrainInterfaces.Storage;

/// <summary>
/// Writes outputs to one kind of backend (key = a registered storage provider's name: <c>s3</c>, <c>direct</c>, …). A stateless
/// worker, so the converter's call stays on its own silo and the bytes are handed over without a copy.
/// </summary>
[Alias("pixerve.IStorageGrain")]
public interface IStorageGrain : IGrainWithStringKey
{
    /// <summary>Stores every file under <c>{prefix}/{subDir}/{name}</c>, or says why it could not, naming the backend.</summary>
    /// <remarks>Cancelling stops the write under way (and its retries); the call then throws <see cref="OperationCanceledException"/>.</remarks>
    [Alias("Store")]
    Task<StoreResult> Store(StoreRequest request, CancellationToken cancellationToken = default);

    /// <summary>Writes and deletes a probe object with the named credential; null when it worked, else why not.</summary>
    [CallableFromGateway, Alias("Probe")]
    Task<string?> Probe(string credentialKey, CancellationToken cancellationToken = default);
}
