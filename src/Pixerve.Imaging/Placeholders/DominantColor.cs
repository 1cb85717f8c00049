namespace Pixerve.Imaging.Placeholders;

/// <summary>
/// The colour most of an image is, as <c>#rrggbb</c>: the preview's pixels are sorted into 16×16×16 sRGB bins
/// (4 bits per channel, as sharp's <c>dominant</c> does), each pixel counting by its alpha so transparent parts do
/// not vote; the answer is the mean colour of the fullest bin (the first on a tie), which is a colour the image
/// really has rather than the muddy average of a photo.
/// </summary>
public static class DominantColor
{
    /// <summary>Null when every pixel is fully transparent.</summary>
    public static string? Of(ReadOnlySpan<byte> rgba)
    {
        var weight = new long[4096];
        var red = new long[4096];
        var green = new long[4096];
        var blue = new long[4096];
        for (var i = 0; i + 3 < rgba.Length; i += 4)
        {
            var alpha = rgba[i + 3];
            if (alpha == 0) continue;
            var bin = (rgba[i] >> 4) << 8 | (rgba[i + 1] >> 4) << 4 | rgba[i + 2] >> 4;
            weight[bin] += alpha;
            red[bin] += rgba[i] * alpha;
            green[bin] += rgba[i + 1] * alpha;
            blue[bin] += rgba[i + 2] * alpha;
        }

        var fullest = 0;
        for (var bin = 1; bin < weight.Length; bin++)
            if (weight[bin] > weight[fullest]) fullest = bin;
        var total = weight[fullest];
        if (total == 0) return null;
        return $"#{Mean(red[fullest], total):x2}{Mean(green[fullest], total):x2}{Mean(blue[fullest], total):x2}";
    }

    private static int Mean(long sum, long total) => (int)((sum * 2 + total) / (2 * total));
}
