using Microsoft.Extensions.Options;

namespace Pixerve.Storage.Filesystem;

/// <summary>The serve directory, where the gateway serves <c>directHost</c> outputs at <c>/files/{subDir}/{name}</c>.</summary>
public sealed class DirectHostStore(IOptions<DirectHostOptions> options)
{
    public const string Backend = "direct";

    public IObjectStore Open() => new LocalDirectoryStore(options.Value.ServeDir, "/files");

    /// <summary>Deletes a file written to the serve directory, given its <c>/files/…</c> location; other locations are left alone.</summary>
    public void Delete(string location)
    {
        if (!location.StartsWith("/files/", StringComparison.Ordinal)) return;
        var root = Path.GetFullPath(options.Value.ServeDir);
        var path = Path.GetFullPath(Path.Combine(root, location["/files/".Length..]));
        if (path.StartsWith(root + Path.DirectorySeparatorChar, StringComparison.Ordinal)) File.Delete(path);
    }
}
