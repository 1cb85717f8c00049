using System.Runtime.CompilerServices;
using System.Text.Json;

namespace Pixerve.Staging.Filesystem;

/// <summary>
/// Staging on a folder every silo and gateway mounts (a shared volume). Each object is a folder,
/// <c>objects/{name}/</c>, holding <c>data</c> (its bytes), <c>meta.json</c> (its metadata and tag) and, for a parted
/// object until it is committed, <c>parts/{offset}{length}</c>. A folder is built under <c>incoming/</c> and renamed into
/// place whole, so an object appears with its bytes and metadata at once; it is deleted by renaming it under
/// <c>trash/</c> first, so it disappears at once too. Metadata changes are a new <c>meta.json</c> renamed over the old
/// one, under an exclusive lock on the object's <c>lock</c> file (the tag check and the write are one step).
/// </summary>
public sealed class FilesystemStagingStore : IStagingStore
{
    public const string DataFile = "data";
    private const string MetaFile = "meta.json";
    private const string PartsFolder = "parts";
    private const string LockFile = "lock";

    private readonly string _objects;
    private readonly string _incoming;
    private readonly string _trash;

    public FilesystemStagingStore(string root)
    {
        var full = Path.GetFullPath(root);
        _objects = Path.Combine(full, "objects");
        _incoming = Path.Combine(full, "incoming");
        _trash = Path.Combine(full, "trash");
        KeyRing = new FilesystemKeyRingFolder(Path.Combine(full, "keys", "data-protection"));
    }

    public string Provider => StagingSettings.Filesystem;

    public IKeyRingFolder KeyRing { get; }

    public Task<IStagingWrite> StartWriteAsync(string name, CancellationToken cancellationToken)
    {
        Folder(name);
        var folder = Incoming();
        return Task.FromResult<IStagingWrite>(new FilesystemStagingWrite(this, name, folder));
    }

    public async Task ReadToAsync(string name, Stream destination, CancellationToken cancellationToken)
    {
        await using var data = await OpenReadAsync(name, cancellationToken);
        await data.CopyToAsync(destination, cancellationToken);
    }

    public Task<Stream> OpenReadAsync(string name, CancellationToken cancellationToken)
    {
        try
        {
            return Task.FromResult<Stream>(new FileStream(Path.Combine(Folder(name), DataFile), FileMode.Open, FileAccess.Read, FileShare.Read,
                bufferSize: 0, FileOptions.Asynchronous | FileOptions.SequentialScan));
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new StagedObjectNotFoundException(name, e);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw Unavailable(e);
        }
    }

    public Task<bool> DeleteIfExistsAsync(string name, CancellationToken cancellationToken)
    {
        var folder = Folder(name);
        var gone = Path.Combine(_trash, Guid.NewGuid().ToString("N"));
        try
        {
            Directory.CreateDirectory(_trash);
            Directory.Move(folder, gone);
        }
        catch (DirectoryNotFoundException)
        {
            return Task.FromResult(false);
        }
        catch (IOException) when (!Directory.Exists(folder))
        {
            return Task.FromResult(false);
        }

        RemoveFolder(gone);
        return Task.FromResult(true);
    }

    public async IAsyncEnumerable<StagedObject> ListAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await Task.CompletedTask;
        if (!Directory.Exists(_objects)) yield break;
        var pending = new Stack<string>();
        pending.Push(_objects);
        while (pending.TryPop(out var folder))
        {
            cancellationToken.ThrowIfCancellationRequested();
            IEnumerable<string> children;
            try
            {
                children = Directory.EnumerateDirectories(folder).Order(StringComparer.Ordinal).ToList();
            }
            catch (DirectoryNotFoundException)
            {
                continue;
            }

            foreach (var child in children.Reverse())
            {
                if (File.Exists(Path.Combine(child, MetaFile)) || Directory.Exists(Path.Combine(child, PartsFolder)))
                {
                    if (Read(Path.GetRelativePath(_objects, child).Replace(Path.DirectorySeparatorChar, '/'), child) is { } found) yield return found;
                }
                else
                {
                    pending.Push(child);
                }
            }
        }
    }

    public Task<StagedObject?> GetAsync(string name, CancellationToken cancellationToken) => Task.FromResult(Read(name, Folder(name)));

    public async Task<string?> TrySetMetadataAsync(string name, IReadOnlyDictionary<string, string> metadata, string tag, CancellationToken cancellationToken)
    {
        var folder = Folder(name);
        await using var held = await LockAsync(folder, cancellationToken);
        if (held is null || ReadMeta(folder) is not { } meta || meta.Tag != tag) return null;
        var next = NewTag();
        WriteMeta(folder, metadata, next);
        return next;
    }

    public Task<string> CreatePartedAsync(string name, IReadOnlyDictionary<string, string> metadata, CancellationToken cancellationToken)
    {
        var target = Folder(name);
        var folder = Incoming();
        Directory.CreateDirectory(Path.Combine(folder, PartsFolder));
        var tag = NewTag();
        WriteMeta(folder, metadata, tag);
        Publish(folder, name);
        return Task.FromResult(tag);
    }

    public Task<PartedObject?> GetPartedAsync(string name, CancellationToken cancellationToken)
    {
        var folder = Folder(name);
        if (Read(name, folder) is not { } found) return Task.FromResult<PartedObject?>(null);
        var parts = new List<StagedPart>();
        if (found.Length == 0)
        {
            try
            {
                foreach (var file in new DirectoryInfo(Path.Combine(folder, PartsFolder)).EnumerateFiles())
                    if (StagedPart.Parse(file.Name) is { } part && part.Length == file.Length)
                        parts.Add(part);
            }
            catch (DirectoryNotFoundException)
            {
                // Committed meanwhile: its parts went with it.
            }
        }

        return Task.FromResult<PartedObject?>(new PartedObject(found, parts));
    }

    public async Task StagePartAsync(string name, long offset, ReadOnlyMemory<byte> bytes, CancellationToken cancellationToken)
    {
        var parts = Path.Combine(Folder(name), PartsFolder);
        var path = Path.Combine(parts, new StagedPart(offset, bytes.Length).Name);
        var temporary = $"{path}.{Guid.NewGuid():N}.tmp";
        try
        {
            await File.WriteAllBytesAsync(temporary, bytes, cancellationToken);
            File.Move(temporary, path, overwrite: true);
        }
        catch (DirectoryNotFoundException)
        {
            // The upload is gone (deleted, or committed by another request): the part has nowhere to go, and the next
            // read of the upload says so.
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw Unavailable(e);
        }
        finally
        {
            File.Delete(temporary);
        }
    }

    public async Task<string?> CommitPartsAsync(string name, IReadOnlyList<StagedPart> parts, IReadOnlyDictionary<string, string> metadata, string tag,
        CancellationToken cancellationToken)
    {
        var folder = Folder(name);
        await using var held = await LockAsync(folder, cancellationToken);
        if (held is null || ReadMeta(folder) is not { } meta || meta.Tag != tag || File.Exists(Path.Combine(folder, DataFile))) return null;
        var data = Path.Combine(folder, DataFile);
        var temporary = $"{data}.{Guid.NewGuid():N}.tmp";
        try
        {
            await using (var whole = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None, 0, FileOptions.Asynchronous))
            {
                foreach (var part in parts)
                {
                    await using var bytes = new FileStream(Path.Combine(folder, PartsFolder, part.Name), FileMode.Open, FileAccess.Read,
                        FileShare.Read, 0, FileOptions.Asynchronous | FileOptions.SequentialScan);
                    await bytes.CopyToAsync(whole, cancellationToken);
                }

                whole.Flush(flushToDisk: true);
            }

            File.Move(temporary, data);
            var next = NewTag();
            WriteMeta(folder, metadata, next);
            RemoveFolder(Path.Combine(folder, PartsFolder));
            return next;
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return null;
        }
        finally
        {
            File.Delete(temporary);
        }
    }

    public Task ProbeAsync(CancellationToken cancellationToken)
    {
        try
        {
            var folder = Incoming();
            File.WriteAllBytes(Path.Combine(folder, "probe"), [1]);
            RemoveFolder(folder);
            return Task.CompletedTask;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw Unavailable(e);
        }
    }

    /// <summary>Moves a finished folder from <c>incoming/</c> to the object's name; it must not exist yet.</summary>
    internal void Publish(string folder, string name)
    {
        var target = Folder(name);
        Directory.CreateDirectory(Path.GetDirectoryName(target)!);
        try
        {
            Directory.Move(folder, target);
        }
        catch
        {
            RemoveFolder(folder);
            throw;
        }
    }

    internal static string NewTag() => Guid.NewGuid().ToString("N");

    internal static void WriteMeta(string folder, IReadOnlyDictionary<string, string> metadata, string tag) =>
        FileNames.Replace(Path.Combine(folder, MetaFile), JsonSerializer.SerializeToUtf8Bytes(new Meta(tag, new Dictionary<string, string>(metadata))));

    internal static void RemoveFolder(string folder)
    {
        try
        {
            Directory.Delete(folder, recursive: true);
        }
        catch (DirectoryNotFoundException)
        {
        }
    }

    /// <summary>Runs file work, turning a volume that fails (full, gone, refused) into <see cref="StagingUnavailableException"/>.</summary>
    internal static async Task Io(Func<Task> work)
    {
        try
        {
            await work();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw Unavailable(e);
        }
    }

    private static StagingUnavailableException Unavailable(Exception e) => new($"the staging folder cannot be used: {e.Message}", e);

    private string Incoming()
    {
        var folder = Path.Combine(_incoming, Guid.NewGuid().ToString("N"));
        try
        {
            Directory.CreateDirectory(folder);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw Unavailable(e);
        }

        return folder;
    }

    /// <summary>The folder of an object; a name that would leave <c>objects/</c> is refused.</summary>
    private string Folder(string name)
    {
        var path = Path.GetFullPath(Path.Combine(_objects, name));
        if (!path.StartsWith(_objects + Path.DirectorySeparatorChar, StringComparison.Ordinal) || name.Length == 0)
            throw new ArgumentException($"'{name}' is not a staged object's name", nameof(name));
        return path;
    }

    private static StagedObject? Read(string name, string folder)
    {
        if (ReadMeta(folder) is not { } meta) return null;
        var data = new FileInfo(Path.Combine(folder, DataFile));
        var modified = File.GetLastWriteTimeUtc(Path.Combine(folder, MetaFile));
        return new StagedObject(name, data.Exists ? data.Length : 0, new DateTimeOffset(modified, TimeSpan.Zero), meta.Metadata, meta.Tag);
    }

    private static Meta? ReadMeta(string folder)
    {
        try
        {
            return JsonSerializer.Deserialize<Meta>(File.ReadAllBytes(Path.Combine(folder, MetaFile)));
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return null;
        }
    }

    /// <summary>
    /// The object's lock, held until disposed; null when the object is gone. An exclusive open of its <c>lock</c> file
    /// (flock on Unix, which a process that dies releases with it); another holder is waited for, briefly.
    /// </summary>
    private static async Task<FileStream?> LockAsync(string folder, CancellationToken cancellationToken)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (true)
        {
            if (!Directory.Exists(folder)) return null;
            try
            {
                return new FileStream(Path.Combine(folder, LockFile), FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
            }
            catch (DirectoryNotFoundException)
            {
                return null;
            }
            catch (IOException) when (DateTime.UtcNow < deadline)
            {
                await Task.Delay(10, cancellationToken);
            }
        }
    }

    private sealed record Meta(string Tag, Dictionary<string, string> Metadata);
}
