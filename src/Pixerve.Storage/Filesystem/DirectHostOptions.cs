namespace Pixerve.Storage.Filesystem;

public sealed class DirectHostOptions
{
    /// <summary>Root of the files served at <c>/files/*</c>.</summary>
    public string ServeDir { get; set; } = "";
}
