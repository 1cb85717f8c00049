using System.Security.Cryptography;
using SkiaSharp;

namespace Pixerve.Testing.Fixtures;

/// <summary>Test images made unique, so jobs of different tests never share a content hash.</summary>
public static class UniqueBytes
{
    /// <summary>The JPEG with a comment segment (FF FE) of random bytes right after its start marker: same pixels, new hash.</summary>
    public static byte[] Jpeg(string image)
    {
        var source = File.ReadAllBytes(RepositoryPaths.Image(image));
        var comment = new byte[2 + 2 + 16];
        comment[0] = 0xFF;
        comment[1] = 0xFE;
        comment[3] = 2 + 16;
        Random.Shared.NextBytes(comment.AsSpan(4));
        return [.. source.AsSpan(0, 2), .. comment, .. source.AsSpan(2)];
    }

    /// <summary>A small PNG no other test uploads, so its job is this test's alone.</summary>
    public static byte[] Png()
    {
        using var bitmap = new SKBitmap(48, 40);
        bitmap.Erase(new SKColor((uint)RandomNumberGenerator.GetInt32(int.MaxValue) | 0xFF000000));
        bitmap.SetPixel(RandomNumberGenerator.GetInt32(48), RandomNumberGenerator.GetInt32(40), SKColors.Black);
        using var data = bitmap.Encode(SKEncodedImageFormat.Png, 100);
        return data.ToArray();
    }
}
