namespace Pixerve.Storage.Filesystem;

/// <summary>A directory on the silo's file system (a <c>direct</c> credential: a shared mount, say), optionally served at <c>baseUrl</c>.</summary>
public sealed class LocalDirectoryStore(string root, string? baseUrl) : IObjectStore
{
    /// <summary>
    /// <c>{baseUrl}/{relativePath}</c>, or without a base URL the path relative to the directory: the job's answers go to
    /// its token holder, and the silo's absolute path says where a mount lives on the cluster's machines.
    /// </summary>
    /// <remarks>A file system keeps no fingerprint beside a file: an existing one is kept on the registry's word.</remarks>
    public async Task<StoredObject> PutAsync(string relativePath, ReadOnlyMemory<byte> bytes, string contentType, string? fingerprint,
        CancellationToken cancellationToken)
    {
        var path = LocalFiles.Confine(root, relativePath);
        var existing = await LocalFiles.CreateAtomicallyAsync(path, bytes, cancellationToken);
        var location = baseUrl is { Length: > 0 } ? $"{baseUrl.TrimEnd('/')}/{relativePath}" : relativePath;
        return new StoredObject(location, existing ?? bytes.Length, existing is not null);
    }

    public Task DeleteAsync(string relativePath, CancellationToken cancellationToken)
    {
        File.Delete(LocalFiles.Confine(root, relativePath));
        return Task.CompletedTask;
    }

    public bool IsTransient(Exception error) => error is IOException and not DirectoryNotFoundException;

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
