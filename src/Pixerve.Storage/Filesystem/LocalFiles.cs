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

    /// <summary>
    /// Writes a temporary file beside <paramref name="path"/>, then moves it there without overwriting (a hard link,
    /// which fails when the name exists), so a reader never sees half a file and no file is ever replaced. Answers
    /// null when it created the file, or the length of the file that was there already (which is kept).
    /// </summary>
    public static async Task<long?> CreateAtomicallyAsync(string path, ReadOnlyMemory<byte> bytes, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        if (Existing(path) is { } before) return before;
        var temporary = $"{path}.{Guid.NewGuid():N}.tmp";
        try
        {
            await File.WriteAllBytesAsync(temporary, bytes, cancellationToken);
            File.Move(temporary, path, overwrite: false);
            return null;
        }
        catch (IOException) when (Existing(path) is not null)
        {
            // Created meanwhile by another writer of the same name.
            return Existing(path);
        }
        finally
        {
            File.Delete(temporary);
        }
    }

    private static long? Existing(string path) => new FileInfo(path) is { Exists: true } file ? file.Length : null;
}
