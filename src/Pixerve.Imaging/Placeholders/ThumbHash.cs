namespace Pixerve.Imaging.Placeholders;

/// <summary>
/// ThumbHash (Evan Wallace, MIT): a ~25-byte DCT summary of an image, alpha and aspect ratio included, that a
/// client renders as a blurred placeholder. A line-for-line port of the reference <c>rgbaToThumbHash</c>
/// (npm <c>thumbhash</c> 0.1.1), arithmetic in the same order, so the bytes are the same.
/// </summary>
public static class ThumbHash
{
    public const int MaxSide = 100;

    /// <summary>The hash of straight-alpha RGBA8 pixels, base64 with padding (what <c>btoa</c> or <c>Buffer.toString("base64")</c> give).</summary>
    public static string Encode(int w, int h, ReadOnlySpan<byte> rgba) => Convert.ToBase64String(EncodeBytes(w, h, rgba));

    public static byte[] EncodeBytes(int w, int h, ReadOnlySpan<byte> rgba)
    {
        if (w < 1 || h < 1 || w > MaxSide || h > MaxSide) throw new ArgumentException($"{w}x{h} doesn't fit in 100x100");
        if (rgba.Length != w * h * 4) throw new ArgumentException("rgba must hold w × h × 4 bytes", nameof(rgba));

        // The average colour, weighted by alpha.
        double avgR = 0, avgG = 0, avgB = 0, avgA = 0;
        for (int i = 0, j = 0; i < w * h; i++, j += 4)
        {
            var alpha = rgba[j + 3] / 255.0;
            avgR += alpha / 255 * rgba[j];
            avgG += alpha / 255 * rgba[j + 1];
            avgB += alpha / 255 * rgba[j + 2];
            avgA += alpha;
        }

        if (avgA != 0)
        {
            avgR /= avgA;
            avgG /= avgA;
            avgB /= avgA;
        }

        var hasAlpha = avgA < w * h;
        var lLimit = hasAlpha ? 5 : 7; // fewer luminance bits when alpha needs room
        var lx = Math.Max(1, JsMath.RoundToInt32((double)(lLimit * w) / Math.Max(w, h)));
        var ly = Math.Max(1, JsMath.RoundToInt32((double)(lLimit * h) / Math.Max(w, h)));
        var l = new double[w * h]; // luminance
        var p = new double[w * h]; // yellow - blue
        var q = new double[w * h]; // red - green
        var a = new double[w * h]; // alpha

        // RGBA to LPQA, composited over the average colour.
        for (int i = 0, j = 0; i < w * h; i++, j += 4)
        {
            var alpha = rgba[j + 3] / 255.0;
            var r = avgR * (1 - alpha) + alpha / 255 * rgba[j];
            var g = avgG * (1 - alpha) + alpha / 255 * rgba[j + 1];
            var b = avgB * (1 - alpha) + alpha / 255 * rgba[j + 2];
            l[i] = (r + g + b) / 3;
            p[i] = (r + g) / 2 - b;
            q[i] = r - g;
            a[i] = alpha;
        }

        var (lDc, lAc, lScale) = EncodeChannel(l, w, h, Math.Max(3, lx), Math.Max(3, ly));
        var (pDc, pAc, pScale) = EncodeChannel(p, w, h, 3, 3);
        var (qDc, qAc, qScale) = EncodeChannel(q, w, h, 3, 3);
        var (aDc, aAc, aScale) = hasAlpha ? EncodeChannel(a, w, h, 5, 5) : (0, [], 0);

        var isLandscape = w > h;
        var header24 = JsMath.RoundToInt32(63 * lDc) | (JsMath.RoundToInt32(31.5 + 31.5 * pDc) << 6)
            | (JsMath.RoundToInt32(31.5 + 31.5 * qDc) << 12) | (JsMath.RoundToInt32(31 * lScale) << 18) | ((hasAlpha ? 1 : 0) << 23);
        var header16 = (isLandscape ? ly : lx) | (JsMath.RoundToInt32(63 * pScale) << 3) | (JsMath.RoundToInt32(63 * qScale) << 9)
            | ((isLandscape ? 1 : 0) << 15);
        var acStart = hasAlpha ? 6 : 5;
        var acCount = lAc.Length + pAc.Length + qAc.Length + aAc.Length;
        var hash = new byte[acStart + (acCount + 1) / 2];
        hash[0] = (byte)(header24 & 255);
        hash[1] = (byte)((header24 >> 8) & 255);
        hash[2] = (byte)(header24 >> 16);
        hash[3] = (byte)(header16 & 255);
        hash[4] = (byte)(header16 >> 8);
        if (hasAlpha) hash[5] = (byte)(JsMath.RoundToInt32(15 * aDc) | (JsMath.RoundToInt32(15 * aScale) << 4));

        var acIndex = 0;
        foreach (var ac in hasAlpha ? new[] { lAc, pAc, qAc, aAc } : [lAc, pAc, qAc])
        {
            foreach (var f in ac)
            {
                hash[acStart + (acIndex >> 1)] |= (byte)(JsMath.RoundToInt32(15 * f) << ((acIndex & 1) << 2));
                acIndex++;
            }
        }

        return hash;
    }

    /// <summary>The DCT's constant term and its varying terms normalised to [0, 1] by their largest magnitude.</summary>
    private static (double Dc, double[] Ac, double Scale) EncodeChannel(double[] channel, int w, int h, int nx, int ny)
    {
        double dc = 0, scale = 0;
        var ac = new List<double>();
        var fx = new double[w];
        for (var cy = 0; cy < ny; cy++)
        {
            for (var cx = 0; cx * ny < nx * (ny - cy); cx++)
            {
                double f = 0;
                for (var x = 0; x < w; x++)
                    fx[x] = JsCos.Cos(Math.PI / w * cx * (x + 0.5));
                for (var y = 0; y < h; y++)
                {
                    var fy = JsCos.Cos(Math.PI / h * cy * (y + 0.5));
                    for (var x = 0; x < w; x++)
                        f += channel[x + y * w] * fx[x] * fy;
                }

                f /= w * h;
                if (cx != 0 || cy != 0)
                {
                    ac.Add(f);
                    scale = Math.Max(scale, Math.Abs(f));
                }
                else
                {
                    dc = f;
                }
            }
        }

        var terms = ac.ToArray();
        if (scale != 0)
        {
            for (var i = 0; i < terms.Length; i++)
                terms[i] = 0.5 + 0.5 / scale * terms[i];
        }

        return (dc, terms, scale);
    }
}
