namespace Pixerve.Imaging;

public static class Fit
{
    /// <summary>The largest size with the source's aspect that fits inside the box, never larger than the source.</summary>
    public static (int Width, int Height) Inside(int width, int height, BoxSize box)
    {
        var scale = Math.Min(1.0, Math.Min((double)box.Width / width, (double)box.Height / height));
        if (scale >= 1.0) return (width, height);
        return (Math.Max(1, (int)Math.Round(width * scale)), Math.Max(1, (int)Math.Round(height * scale)));
    }
}
