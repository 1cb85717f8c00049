using Pixerve.Imaging.Inspection.Formats;

namespace Pixerve.Imaging;

/// <summary>An output's size and how it is made from the upright source.</summary>
/// <param name="Width">The output's width.</param>
/// <param name="Height">The output's height.</param>
/// <param name="Scaled">The aspect-kept size the source is resized to first: the output itself for
/// <see cref="FitMode.Inside"/>, else the size the cover crop is cut from or the fill stretch is made from.</param>
public sealed record OutputShape(int Width, int Height, (int Width, int Height) Scaled, FitMode Fit, CropGravity Gravity);
