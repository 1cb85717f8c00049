using NetVips;

namespace Pixerve.Imaging;

/// <summary>Brings a decoded image to what every later step expects: sRGB, 8 bits, RGB or RGBA with straight alpha.</summary>
internal static class Srgb
{
    private const string IccField = "icc-profile-data";

    /// <summary>Returns a new (lazy) image; <paramref name="image"/> stays the caller's.</summary>
    public static Image Import(Image image)
    {
        var hasProfile = image.Contains(IccField);
        if (image.Interpretation == Enums.Interpretation.Cmyk && !hasProfile) return NaiveCmyk(image);
        if (hasProfile)
        {
            try
            {
                // The embedded profile (Adobe RGB, Display P3, a CMYK press profile, a grey gamma) to sRGB, 8 bits.
                return Eight(image.IccTransform("srgb", embedded: true, intent: Enums.Intent.Relative, depth: 8));
            }
            catch (VipsException)
            {
                // A profile lcms refuses (damaged, or not for this image's bands) is treated as if absent, as browsers do.
            }
        }

        if (image.Interpretation == Enums.Interpretation.Srgb && image.Format == Enums.BandFormat.Uchar && image.Bands is 3 or 4)
            return image.Copy();
        return Eight(image.Colourspace(Enums.Interpretation.Srgb));
    }

    /// <summary>
    /// CMYK without a profile is converted the way browsers do it, channel by channel (R = (1 − C)(1 − K)), not through
    /// a press profile the file never named. libjpeg has already undone the inversion of Adobe's CMYK JPEGs.
    /// </summary>
    private static Image NaiveCmyk(Image cmyk)
    {
        using var cmy = cmyk.ExtractBand(0, n: 3);
        using var k = cmyk.ExtractBand(3);
        using var inverseCmy = cmy.Linear([-1.0], [255.0]);
        using var inverseK = k.Linear([-1.0 / 255], [1.0]);
        using var rgb = inverseCmy.Multiply(inverseK);
        using var eight = rgb.Cast(Enums.BandFormat.Uchar);
        return eight.Copy(interpretation: Enums.Interpretation.Srgb);
    }

    private static Image Eight(Image image)
    {
        if (image.Format == Enums.BandFormat.Uchar) return image;
        using (image) return image.Cast(Enums.BandFormat.Uchar);
    }
}
