namespace Pixerve.Imaging.Inspection;

/// <summary>An animation past a limit counted over all its frames: the frame count, or width × height × frames.</summary>
public sealed class AnimationTooLargeException(string message) : Exception(message)
{
    /// <summary>Checks one more frame of a <paramref name="width"/>×<paramref name="height"/> canvas against both limits.</summary>
    public static void ThrowIfPast(int frames, int width, int height, long maxPixels, int maxFrames)
    {
        if (frames > maxFrames)
            throw new AnimationTooLargeException(
                $"the animation has more than {maxFrames} frames, the limit ({ImageLimitsOptions.MaxFramesKey})");
        if ((long)width * height * frames > maxPixels)
            throw new AnimationTooLargeException(
                $"the animation's frames of {width}×{height} pixels add up to more than the limit of {maxPixels} pixels after {frames} frames ({ImageLimitsOptions.MaxSourcePixelsKey} counts every frame)");
    }
}
