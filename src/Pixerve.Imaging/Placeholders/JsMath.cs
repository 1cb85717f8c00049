namespace Pixerve.Imaging.Placeholders;

/// <summary>
/// JavaScript's rounding, so the ports give the reference encoders' exact strings: JS numbers are doubles like
/// .NET's, but <c>Math.round</c> rounds halves up (towards +∞), not to even.
/// </summary>
internal static class JsMath
{
    /// <summary><c>Math.round</c>: the nearest integer, halves towards +∞ (exact, unlike <c>Math.Floor(x + 0.5)</c> at 0.49999999999999994).</summary>
    public static double Round(double x)
    {
        var floor = Math.Floor(x);
        return x - floor >= 0.5 ? floor + 1 : floor;
    }

    /// <summary><c>Math.round</c> then JavaScript's ToInt32, as the <c>|</c> and <c>&lt;&lt;</c> operators apply it.</summary>
    public static int RoundToInt32(double x) => (int)Round(x);
}
