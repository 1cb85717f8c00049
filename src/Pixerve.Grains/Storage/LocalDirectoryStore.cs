using Pixerve.Grains.Credentials;

namespace Pixerve.Grains.Storage;

/// <summary>A directory on the silo's file system (a <c>direct</c> credential: a shared mount, say), optionally served at <c>base_url</c>.</summary>
public sealed class LocalDirectoryStore(string root, string? baseUrl) : IObjectStore
{
    public LocalDirectoryStore(CredentialDefinition credential)
        : this(credential.Required("path"), credential.Optional("base_url"))
    {
    }

    public async Task<string> PutAsync(string relativePath, OutputFile file, CancellationToken cancellationToken)
    {
        var path = LocalFiles.Confine(root, relativePath);
        await LocalFiles.WriteAtomicallyAsync(path, file.Bytes, cancellationToken);
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

public static class LocalFiles
{
    /// <summary>The full path of <paramref name="relative"/> under <paramref name="root"/>; refuses anything outside it.</summary>
    public static string Confine(string root, string relative)
    {
        var fullRoot = Path.GetFullPath(root);
        var path = Path.GetFullPath(Path.Combine(fullRoot, relative));
        if (!path.StartsWith(fullRoot.TrimEnd(Path.DirectorySeparatorChar) + Path.DirectorySeparatorChar, StringComparison.Ordinal))
            throw new ArgumentException($"'{relative}' is outside {fullRoot}", nameof(relative));
        return path;
    }

    /// <summary>Write then rename, so a reader never sees half a file and a rerun simply replaces it.</summary>
    public static async Task WriteAtomicallyAsync(string path, ReadOnlyMemory<byte> bytes, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var temporary = $"{path}.{Guid.NewGuid():N}.tmp";
        try
        {
            await File.WriteAllBytesAsync(temporary, bytes, cancellationToken);
            File.Move(temporary, path, overwrite: true);
        }
        finally
        {
            File.Delete(temporary);
        }
    }
}
