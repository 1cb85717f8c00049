using System.ComponentModel.DataAnnotations;

namespace Pixerve.Imaging.Inspection;

/// <summary>
/// Bound from <c>Pixerve:Limits</c>: the two limits an image is held to, read by the gateway's header probe (before
/// anything is staged) and again by the silos' converter (before anything is decoded). One class, so one setting
/// governs both checks.
/// </summary>
public sealed class ImageLimitsOptions
{
    public const string Section = "Pixerve:Limits";

    /// <summary>The configuration key of <see cref="MaxSourcePixels"/>, for refusals that name it.</summary>
    public const string MaxSourcePixelsKey = Section + ":" + nameof(MaxSourcePixels);

    /// <summary>The configuration key of <see cref="MaxFrames"/>, for refusals that name it.</summary>
    public const string MaxFramesKey = Section + ":" + nameof(MaxFrames);

    /// <summary>Width × height above which a source is refused: from its header at upload, and before decoding.</summary>
    [Range(1, long.MaxValue)]
    public long MaxSourcePixels { get; set; } = 50_000_000;

    /// <summary>
    /// The most frames an animated GIF or WebP may have, counted as the upload streams in and again before
    /// decoding. Its frames together (width × height × frames) also count against <see cref="MaxSourcePixels"/>.
    /// </summary>
    [Range(1, 1_000_000)]
    public int MaxFrames { get; set; } = 500;
}
