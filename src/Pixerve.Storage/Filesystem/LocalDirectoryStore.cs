namespace Pixerve.Storage.Filesystem;

/// <summary>A directory on the silo's file system (a <c>direct</c> credential: a shared mount, say), optionally served at <c>baseUrl</c>.</summary>
public sealed class LocalDirectoryStore(string root, string? baseUrl) : IObjectStore
{
    public async Task<string> PutAsync(string relativePath, ReadOnlyMemory<byte> bytes, string contentType, CancellationToken cancellationToken)
    {
        var path = LocalFiles.Confine(root, relativePath);
        await LocalFiles.WriteAtomicallyAsync(path, bytes, cancellationToken);
        return baseUrl is { Length: > 0 } ? $"{baseUrl.TrimEnd('/')}/{relativePath}" : path;
    }

    public Task DeleteAsync(string relativePath, CancellationToken cancellationToken)
    {
        File.Delete(LocalFiles.Confine(root, relativePath));
        return Task.CompletedTask;
    }

    public bool IsTransient(Exception error) => error is IOException and not DirectoryNotFoundException;

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
