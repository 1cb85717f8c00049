using System.Text;

namespace Pixerve;

/// <summary>One file a job will produce.</summary>
/// <param name="Box">Null for a byte-exact copy of the source.</param>
public sealed record PlannedOutput(string Name, OutputFormat Format, BoxSize? Box, int? Quality, int? Speed)
{
    public string ContentType => Format switch
    {
        OutputFormat.Jpg => "image/jpeg",
        OutputFormat.Png => "image/png",
        OutputFormat.Webp => "image/webp",
        OutputFormat.Avif => "image/avif",
        _ => "application/octet-stream",
    };
}
