using Pixerve.Imaging.Inspection.Formats;

namespace Pixerve.Imaging;

/// <summary>
/// One output the converter is asked for: the converter's own input, free of Orleans (the converter grain makes one
/// from each output of a job's plan).
/// </summary>
/// <param name="Name">The output's file name, for spans and errors.</param>
/// <param name="Box">Null for a byte-exact copy of the source.</param>
/// <param name="Quality">As the claim gave it; null takes the format's default (<see cref="OutputFormatInfo.DefaultQuality"/>).</param>
/// <param name="Speed">As the claim gave it; null takes the format's default (<see cref="OutputFormatInfo.DefaultSpeed"/>).</param>
public sealed record OutputRequest(string Name, OutputFormat Format, OutputBox? Box, int? Quality = null, int? Speed = null)
{
    /// <summary>An animated source's first frame only, even for a format that animates.</summary>
    public bool Still { get; init; }
}

/// <summary>A box an output is made to fit, never upscaled (<see cref="BoxGeometry.Shape"/>).</summary>
public readonly record struct OutputBox(int Width, int Height, FitMode Fit = FitMode.Inside, CropGravity Gravity = CropGravity.Centre);
