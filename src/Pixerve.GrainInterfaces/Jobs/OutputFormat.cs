namespace Pixerve;

[GenerateSerializer, Alias("pixerve.OutputFormat")]
public enum OutputFormat
{
    Jpg,
    Png,
    Webp,
    Avif,
    /// <summary>A byte-exact copy of the upload.</summary>
    Original,
}
