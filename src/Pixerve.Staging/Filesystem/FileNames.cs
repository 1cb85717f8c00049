namespace Pixerve.Staging.Filesystem;

/// <summary>Naming files on a shared volume so that readers see a whole file or none.</summary>
internal static class FileNames
{
    /// <summary>Writes a temporary file beside <paramref name="path"/> and renames it over the name: readers see the old file or the new one.</summary>
    public static void Replace(string path, ReadOnlySpan<byte> bytes)
    {
        var temporary = $"{path}.{Guid.NewGuid():N}.tmp";
        try
        {
            using (var file = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write))
            {
                file.Write(bytes);
                file.Flush(flushToDisk: true);
            }

            File.Move(temporary, path, overwrite: true);
        }
        finally
        {
            File.Delete(temporary);
        }
    }
}
