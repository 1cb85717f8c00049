using Pixerve.Imaging.Inspection.Formats;

namespace Pixerve.Imaging;

/// <summary>The source as the converter saw it: what a job's answers describe and its placeholders are made from.</summary>
/// <param name="Width">After the orientation is applied.</param>
/// <param name="Height">After the orientation is applied.</param>
/// <param name="HasAlpha">Whether the decoded source carries an alpha channel.</param>
/// <param name="Frames">1 for a still image; the frame count of an animated source.</param>
/// <param name="Preview">The first frame, upright, small: placeholders and the dominant colour come from it, not another decode.</param>
public sealed record SourceDescription(SourceFormat Format, int Width, int Height, bool HasAlpha, int Frames, SourcePreview Preview);
