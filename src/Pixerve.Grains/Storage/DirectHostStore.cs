using Microsoft.Extensions.Options;

namespace Pixerve.Grains.Storage;

public sealed class DirectHostOptions
{
    /// <summary>Root of the files served at <c>/files/*</c>.</summary>
    public string ServeDir { get; set; } = "";
}

/// <summary>The serve directory, where the gateway serves <c>directHost</c> outputs at <c>/files/{subDir}/{name}</c>.</summary>
public sealed class DirectHostStore(IOptions<DirectHostOptions> options)
{
    public const string Backend = "direct";

    public IObjectStore Open() => new LocalDirectoryStore(options.Value.ServeDir, "/files");
}
