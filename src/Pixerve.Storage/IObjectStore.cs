namespace Pixerve.Storage;

/// <summary>One backend opened with one credential, for the duration of one store or probe.</summary>
public interface IObjectStore : IAsyncDisposable
{
    /// <summary>
    /// Creates <paramref name="relativePath"/> (<c>{subDir}/{name}</c>) under the credential's prefix and answers its
    /// URL or path. Create-only, atomically where the backend can: a file already there is never replaced. It is
    /// taken to be the same work (the name registry gives a name in one place to one fingerprint: a rerun after a
    /// crash, another job asking for identical output), kept, and answered with its own size; where the backend keeps
    /// metadata, the <paramref name="fingerprint"/> is written with a new file and checked against an existing one,
    /// and a mismatch throws <see cref="ObjectConflictException"/>.
    /// </summary>
    /// <param name="fingerprint">The output's <c>OutputFingerprint</c>; null for what is not an output (the probe).</param>
    /// <remarks>The token is honoured all the way into the SDK's request, so a cancelled write stops where it is.</remarks>
    Task<StoredObject> PutAsync(string relativePath, ReadOnlyMemory<byte> bytes, string contentType, string? fingerprint,
        CancellationToken cancellationToken);

    Task DeleteAsync(string relativePath, CancellationToken cancellationToken);

    /// <summary>Worth retrying (network trouble, throttling, a server error) rather than a refusal that will repeat.</summary>
    bool IsTransient(Exception error);

    /// <summary>
    /// A short sentence for the admin and the silo logs (the probe's answer, the detail of a job's error, the health
    /// view): it may name endpoints, user names and paths. The backend and key are added by the caller.
    /// </summary>
    string Describe(Exception error) => error.Message;

    /// <summary>
    /// What went wrong, for whoever holds the job's token: a status, a timeout, a refused login — never where (no
    /// host, port, user name, bucket or path). The backend and key are added by the caller.
    /// </summary>
    string DescribeSafely(Exception error) => ObjectStoreErrors.Safe(error);
}
