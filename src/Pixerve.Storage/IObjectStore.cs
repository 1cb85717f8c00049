namespace Pixerve.Storage;

/// <summary>One backend opened with one credential, for the duration of one store or probe.</summary>
public interface IObjectStore : IAsyncDisposable
{
    /// <summary>Writes <paramref name="relativePath"/> (<c>{subDir}/{name}</c>) under the credential's prefix; returns its URL or path.</summary>
    /// <remarks>The token is honoured all the way into the SDK's request, so a cancelled write stops where it is.</remarks>
    Task<string> PutAsync(string relativePath, ReadOnlyMemory<byte> bytes, string contentType, CancellationToken cancellationToken);

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
