using Orleans.Concurrency;

namespace Pixerve;

/// <summary>
/// Writes outputs to one kind of backend (key = <c>s3</c>, <c>gcs</c>, <c>sftp</c> or <c>direct</c>). A stateless
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
    [Alias("Probe")]
    Task<string?> Probe(string credentialKey, CancellationToken cancellationToken = default);
}

/// <param name="CredentialKey">Null only for the gateway's own serve directory (<c>directHost</c>).</param>
[GenerateSerializer, Alias("pixerve.StoreRequest"), Immutable]
public sealed record StoreRequest(
    [property: Id(0)] string? CredentialKey,
    [property: Id(1)] string SubDir,
    [property: Id(2)] IReadOnlyList<OutputFile> Files);

/// <summary>One encoded output. Immutable, so a local grain call passes the bytes by reference.</summary>
[GenerateSerializer, Alias("pixerve.OutputFile"), Immutable]
public sealed record OutputFile(
    [property: Id(0)] string Name,
    [property: Id(1)] string ContentType,
    [property: Id(2)] ReadOnlyMemory<byte> Bytes,
    [property: Id(3)] int Width,
    [property: Id(4)] int Height);

[GenerateSerializer, Alias("pixerve.StoreResult"), Immutable]
public sealed record StoreResult(
    [property: Id(0)] IReadOnlyList<StoredFile> Files,
    [property: Id(1)] string? Error);
