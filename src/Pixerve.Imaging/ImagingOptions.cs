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
    /// The silo's CPU budget for image work: threads decoding, resizing and encoding at once, across all the
    /// conversions running on the silo (0: one per core). Each runs one libvips operation with libvips' own
    /// thread count at one, so the budget is the cores image work can occupy.
    /// </summary>
    public int Threads { get; set; }

    /// <summary>
    /// Nice value (0–19) of the conversion threads: above 0, the scheduler gives them less of a contended core than
    /// the threads answering requests, so acknowledgements and status reads stay fast under load. 0 leaves them at
    /// the process's priority.
    /// </summary>
    public int ThreadNice { get; set; } = 10;

    public int EffectiveThreads => Threads > 0 ? Threads : Environment.ProcessorCount;
}
