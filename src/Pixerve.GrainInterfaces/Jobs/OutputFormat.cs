namespace Pixerve.GrainInterfaces.Jobs;

[GenerateSerializer, Alias("pixerve.OutputFormat")]
public enum OutputFormat
{
    Jpg,
    Png,
    Webp,
    Avif,
    /// <summary>A byte-exact copy of the upload.</summary>
    Original,
    /// <summary>Animated when the source is (frames, delays and loop kept); appended last, as values are stored.</summary>
    Gif,
}
