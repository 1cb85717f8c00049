namespace Pixerve.Imaging;

/// <summary>Bound from <c>Pixerve:Imaging</c>.</summary>
public sealed class ImagingOptions
{
    public const string Section = "Pixerve:Imaging";

    /// <summary>The gateway's key for the same limit: one setting governs both checks.</summary>
    public const string MaxSourcePixelsKey = "Pixerve:Limits:MaxSourcePixels";

    /// <summary>
    /// Sources with more pixels are refused before decoding. The gateway checks this from the header at
    /// upload; the converter checks again so that no other way in can make it allocate a bomb.
    /// </summary>
    public long MaxSourcePixels { get; set; } = 50_000_000;

    /// <summary>The gateway's key for the frame limit: one setting governs both checks.</summary>
    public const string MaxFramesKey = "Pixerve:Limits:MaxFrames";

    /// <summary>An animated source with more frames is refused; its frames together also count against <see cref="MaxSourcePixels"/>.</summary>
    public int MaxFrames { get; set; } = 500;

    /// <summary>
    /// How many AVIF encodes may run at once in this process. AV1 costs several times a JPEG or WebP and aom
    /// threads internally, so letting every worker encode AVIF at once would starve the cheap formats.
    /// </summary>
    public int AvifConcurrency { get; set; } = Math.Max(1, Environment.ProcessorCount / 2);

    /// <summary>How many outputs of one job are encoded at once.</summary>
    public int EncodeParallelism { get; set; } = Environment.ProcessorCount;
}
