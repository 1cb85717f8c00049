using Microsoft.Extensions.Options;

namespace Pixerve.Grains.Storage;

public sealed class DirectHostOptions
{
    /// <summary>Root of the files served at <c>/files/*</c>.</summary>
    public string ServeDir { get; set; } = "";
}

/// <summary>Writes outputs under the serve directory, where the gateway serves them at <c>/files/{subDir}/{name}</c>.</summary>
public sealed class DirectHostStore(IOptions<DirectHostOptions> options)
{
    public const string Backend = "direct";

    public async Task<StoredFile> WriteAsync(string subDir, string name, ReadOnlyMemory<byte> bytes, int width, int height, CancellationToken cancellationToken)
    {
        var root = Path.GetFullPath(options.Value.ServeDir);
        var relative = subDir.Length == 0 ? name : $"{subDir}/{name}";
        var path = Path.GetFullPath(Path.Combine(root, relative));
        // The gateway validates subDir; this keeps a bad value from ever writing outside the root.
        if (!path.StartsWith(root + Path.DirectorySeparatorChar, StringComparison.Ordinal))
            throw new ArgumentException($"'{relative}' is outside the serve directory", nameof(subDir));

        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        // Write then rename, so a reader never sees half a file and a rerun simply replaces it.
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

        return new StoredFile(name, Backend, "/files/" + relative, bytes.Length, width, height);
    }

    /// <summary>Deletes a file written by <see cref="WriteAsync"/>, given its <c>/files/…</c> location.</summary>
    public void Delete(string location)
    {
        var root = Path.GetFullPath(options.Value.ServeDir);
        var path = Path.GetFullPath(Path.Combine(root, location.TrimStart('/')["files/".Length..]));
        if (path.StartsWith(root + Path.DirectorySeparatorChar, StringComparison.Ordinal)) File.Delete(path);
    }
}
