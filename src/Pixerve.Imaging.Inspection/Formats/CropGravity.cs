namespace Pixerve.Imaging.Inspection.Formats;

/// <summary>Which part of the picture a <see cref="FitMode.Cover"/> crop keeps (the job claim's <c>gravity</c>).</summary>
public enum CropGravity
{
    /// <summary>The middle.</summary>
    Centre,

    /// <summary>The region libvips' smart crop finds most salient: skin tones, saturated colour, edges.</summary>
    Attention,

    /// <summary>The region with the most detail (the highest entropy).</summary>
    Entropy,
}
