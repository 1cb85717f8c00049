namespace Pixerve.Gateway.Upload;

/// <summary>Bound from <c>Pixerve:Limits</c>.</summary>
public sealed class UploadOptions
{
    public const string Section = "Pixerve:Limits";

    public long MaxUploadBytes { get; set; } = 50L * 1024 * 1024;

    /// <summary>Width × height above which an upload is refused from its header, before it is staged or decoded.</summary>
    public long MaxSourcePixels { get; set; } = 50_000_000;
}
