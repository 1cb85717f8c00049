namespace Pixerve.Storage.Filesystem;

/// <summary>A directory on the silo's file system (a <c>direct</c> credential: a shared mount, say), optionally served at <c>baseUrl</c>.</summary>
public sealed class LocalDirectoryStore(string root, string? baseUrl) : IObjectStore
{
    /// <summary>
    /// <c>{baseUrl}/{relativePath}</c>, or without a base URL the path relative to the directory: the job's answers go to
    /// its token holder, and the silo's absolute path says where a mount lives on the cluster's machines.
    /// </summary>
    public async Task<string> PutAsync(string relativePath, ReadOnlyMemory<byte> bytes, string contentType, CancellationToken cancellationToken)
    {
        var path = LocalFiles.Confine(root, relativePath);
        await LocalFiles.WriteAtomicallyAsync(path, bytes, cancellationToken);
        return baseUrl is { Length: > 0 } ? $"{baseUrl.TrimEnd('/')}/{relativePath}" : relativePath;
    }

    public Task DeleteAsync(string relativePath, CancellationToken cancellationToken)
    {
        File.Delete(LocalFiles.Confine(root, relativePath));
        return Task.CompletedTask;
    }

    public bool IsTransient(Exception error) => error is IOException and not DirectoryNotFoundException;

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
