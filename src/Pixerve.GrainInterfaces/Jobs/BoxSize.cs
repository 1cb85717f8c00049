using Pixerve.Imaging.Inspection.Formats;

namespace Pixerve.GrainInterfaces.Jobs;

/// <summary>
/// A box an output is made to fit, never upscaled: inside it with the aspect kept (the default), or filling it
/// exactly by cropping (<see cref="FitMode.Cover"/>, keeping the part <paramref name="Gravity"/> names) or by
/// stretching (<see cref="FitMode.Fill"/>). Output names carry only the width and height.
/// </summary>
[GenerateSerializer, Alias("pixerve.BoxSize"), Immutable]
public readonly record struct BoxSize(
    [property: Id(0)] int Width,
    [property: Id(1)] int Height,
    [property: Id(2)] FitMode Fit = FitMode.Inside,
    [property: Id(3)] CropGravity Gravity = CropGravity.Centre);
