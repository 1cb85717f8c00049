using System.Runtime.InteropServices;

namespace Pixerve.Storage.Filesystem;

public static partial class LocalFiles
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
    /// Writes a temporary file beside <paramref name="path"/>, then gives it its name without overwriting (a hard
    /// link, which the kernel refuses when the name exists), so a reader never sees half a file and no file is ever
    /// replaced. Answers null when it created the file, or the length of the file that was there already (which is
    /// kept).
    /// </summary>
    public static async Task<long?> CreateAtomicallyAsync(string path, ReadOnlyMemory<byte> bytes, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        if (Existing(path) is { } before) return before;
        var temporary = $"{path}.{Guid.NewGuid():N}.tmp";
        try
        {
            await File.WriteAllBytesAsync(temporary, bytes, cancellationToken);
            return CreateName(temporary, path) ? null : Existing(path) ?? throw new IOException($"{path} existed and then did not");
        }
        finally
        {
            File.Delete(temporary);
        }
    }

    /// <summary>
    /// Gives <paramref name="source"/>'s file the name <paramref name="path"/> too, unless that name exists: false
    /// then. One system call decides, so of writers racing for a name exactly one wins. File.Move without overwrite
    /// is not that on Unix: it checks for the name and then renames, and a writer between the two is replaced.
    /// </summary>
    private static bool CreateName(string source, string path)
    {
        if (OperatingSystem.IsWindows())
        {
            // MoveFileEx without MOVEFILE_REPLACE_EXISTING fails in one step when the name exists.
            try
            {
                File.Move(source, path, overwrite: false);
                return true;
            }
            catch (IOException) when (File.Exists(path))
            {
                return false;
            }
        }
        if (link(source, path) == 0) return true;
        var error = Marshal.GetLastPInvokeError();
        if (error == ErrnoExists) return false;
        throw new IOException($"Could not create {path}: {Marshal.GetPInvokeErrorMessage(error)}", error);
    }

    private static long? Existing(string path) => new FileInfo(path) is { Exists: true } file ? file.Length : null;

    // EEXIST is 17 on Linux and on macOS.
    private const int ErrnoExists = 17;

    [LibraryImport("libc", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int link(string existing, string created);
}
