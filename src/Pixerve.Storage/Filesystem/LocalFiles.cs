namespace Pixerve.Storage.Filesystem;

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
