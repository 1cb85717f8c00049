namespace Pixerve.Imaging.Placeholders;

/// <summary>
/// Cosine as V8 computes <c>Math.cos</c> (fdlibm's algorithm: Cody–Waite reduction by π/2, then the degree-14 and
/// degree-13 kernel polynomials), so the DCTs here sum bit for bit what the reference encoders sum. .NET's
/// <c>Math.Cos</c> (the C library's) differs from it in the last bit for about 1 argument in 4000, and a flat image's
/// AC terms, pure rounding noise that ThumbHash then normalises, carry such a bit into the hash.
/// </summary>
internal static class JsCos
{
    // The first 33 bits of π/2 and the rest, then two further 33-bit pieces for arguments near a multiple of π/2.
    private const double InvPio2 = 6.36619772367581382433e-01;
    private const double Pio2First = 1.57079632673412561417e+00, Pio2FirstTail = 6.07710050650619224932e-11;
    private const double Pio2Second = 6.07710050630396597660e-11, Pio2SecondTail = 2.02226624879595063154e-21;
    private const double Pio2Third = 2.02226624871116645580e-21, Pio2ThirdTail = 8.47842766036889956997e-32;

    private const double C1 = 4.16666666666666019037e-02, C2 = -1.38888888888741095749e-03, C3 = 2.48015872894767294178e-05,
        C4 = -2.75573143513906633035e-07, C5 = 2.08757232129817482790e-09, C6 = -1.13596475577881948265e-11;

    private const double S1 = -1.66666666666666324348e-01, S2 = 8.33333333332248946124e-03, S3 = -1.98412698298579493134e-04,
        S4 = 2.75573137070700676789e-06, S5 = -2.50507602534068634195e-08, S6 = 1.58969099521155010221e-10;

    /// <summary>High words of n·π/2 for n = 1..32: an argument this close to one needs the longer reduction.</summary>
    private static readonly int[] MultipleOfPio2HighWords =
    [
        0x3FF921FB, 0x400921FB, 0x4012D97C, 0x401921FB, 0x401F6A7A, 0x4022D97C, 0x4025FDBB, 0x402921FB,
        0x402C463A, 0x402F6A7A, 0x4031475C, 0x4032D97C, 0x40346B9C, 0x4035FDBB, 0x40378FDB, 0x403921FB,
        0x403AB41B, 0x403C463A, 0x403DD85A, 0x403F6A7A, 0x40407E4C, 0x4041475C, 0x4042106C, 0x4042D97C,
        0x4043A28C, 0x40446B9C, 0x404534AC, 0x4045FDBB, 0x4046C6CB, 0x40478FDB, 0x404858EB, 0x404921FB,
    ];

    public static double Cos(double x)
    {
        var high = HighWord(x) & 0x7FFFFFFF;
        if (high <= 0x3FE921FB) return KernelCos(x, 0); // |x| ≤ π/4
        if (high >= 0x7FF00000) return x - x; // NaN or ±∞
        // Beyond 2^19·π/2 fdlibm reduces with 2/π to 1200 bits; a placeholder's arguments stay below 10π.
        if (high > 0x413921FB) return Math.Cos(x);

        var quadrant = ReduceByPio2(x, out var head, out var tail);
        return (quadrant & 3) switch
        {
            0 => KernelCos(head, tail),
            1 => -KernelSin(head, tail),
            2 => -KernelCos(head, tail),
            _ => KernelSin(head, tail),
        };
    }

    /// <summary>x − n·π/2 as head + tail, |head| ≤ ~π/4; returns n.</summary>
    private static int ReduceByPio2(double x, out double head, out double tail)
    {
        var signedHigh = HighWord(x);
        var high = signedHigh & 0x7FFFFFFF;
        if (high < 0x4002D97C) // |x| < 3π/4: n is ±1
        {
            var sign = signedHigh > 0 ? 1 : -1;
            var z = x - sign * Pio2First;
            if (high != 0x3FF921FB)
            {
                head = z - sign * Pio2FirstTail;
                tail = (z - head) - sign * Pio2FirstTail;
            }
            else
            {
                // Near π/2 itself: 33 + 33 + 53 bits of π/2.
                z -= sign * Pio2Second;
                head = z - sign * Pio2SecondTail;
                tail = (z - head) - sign * Pio2SecondTail;
            }

            return sign;
        }

        var t = Math.Abs(x);
        var n = (int)(t * InvPio2 + 0.5);
        var fn = (double)n;
        var r = t - fn * Pio2First;
        var w = fn * Pio2FirstTail;
        if (n < 32 && high != MultipleOfPio2HighWords[n - 1])
        {
            head = r - w;
        }
        else
        {
            // Cancellation: refine with the next pieces of π/2 while the result lost too many bits.
            var exponent = high >> 20;
            head = r - w;
            if (exponent - ((HighWord(head) >> 20) & 0x7FF) > 16)
            {
                var previous = r;
                w = fn * Pio2Second;
                r = previous - w;
                w = fn * Pio2SecondTail - ((previous - r) - w);
                head = r - w;
                if (exponent - ((HighWord(head) >> 20) & 0x7FF) > 49)
                {
                    previous = r;
                    w = fn * Pio2Third;
                    r = previous - w;
                    w = fn * Pio2ThirdTail - ((previous - r) - w);
                    head = r - w;
                }
            }
        }

        tail = (r - head) - w;
        if (signedHigh >= 0) return n;
        head = -head;
        tail = -tail;
        return -n;
    }

    /// <summary>cos(x + y) for |x| ≤ ~π/4, y the tail of x.</summary>
    private static double KernelCos(double x, double y)
    {
        var high = HighWord(x) & 0x7FFFFFFF;
        if (high < 0x3E400000 && (int)x == 0) return 1; // |x| < 2^-27
        var z = x * x;
        var r = z * (C1 + z * (C2 + z * (C3 + z * (C4 + z * (C5 + z * C6)))));
        if (high < 0x3FD33333) return 1 - (0.5 * z - (z * r - x * y)); // |x| < 0.3
        // 1 − qx and x²/2 − qx are exact: less rounding in the subtraction.
        var qx = high > 0x3FE90000 ? 0.28125 : BitConverter.Int64BitsToDouble((long)(high - 0x00200000) << 32);
        var iz = 0.5 * z - qx;
        var a = 1 - qx;
        return a - (iz - (z * r - x * y));
    }

    /// <summary>sin(x + y) for |x| ≤ ~π/4, y the tail of x.</summary>
    private static double KernelSin(double x, double y)
    {
        var high = HighWord(x) & 0x7FFFFFFF;
        if (high < 0x3E400000 && (int)x == 0) return x;
        var z = x * x;
        var v = z * x;
        var r = S2 + z * (S3 + z * (S4 + z * (S5 + z * S6)));
        return x - ((z * (0.5 * y - v * r) - y) - v * S1);
    }

    private static int HighWord(double x) => (int)(BitConverter.DoubleToInt64Bits(x) >> 32);
}
