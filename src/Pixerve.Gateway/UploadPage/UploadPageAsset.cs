using System.IO.Compression;
using System.Security.Cryptography;

namespace Pixerve.Gateway.UploadPage;

/// <summary>
/// One file of the page's bundle, embedded in the gateway: its bytes, their version (the start of their SHA-256,
/// which the page puts in its URLs and the answer gives as ETag) and, made once, their gzip and Brotli forms.
/// </summary>
public sealed class UploadPageAsset
{
    private readonly Lazy<byte[]> _gzip;
    private readonly Lazy<byte[]> _brotli;

    public UploadPageAsset(string name, string contentType, byte[] content)
    {
        Name = name;
        ContentType = contentType;
        Content = content;
        Version = Convert.ToHexStringLower(SHA256.HashData(content))[..16];
        _gzip = new(() => Compress(content, s => new GZipStream(s, CompressionLevel.SmallestSize)));
        _brotli = new(() => Compress(content, s => new BrotliStream(s, CompressionLevel.SmallestSize)));
    }

    public string Name { get; }
    public string ContentType { get; }
    public byte[] Content { get; }
    public string Version { get; }
    public string ETag => $"\"{Version}\"";

    /// <summary>The bytes in the best encoding the request accepts, and that encoding's name (null: as they are).</summary>
    public (byte[] Bytes, string? Encoding) For(string? acceptEncoding)
    {
        var accepted = (acceptEncoding ?? "").Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
            .Where(e => !e.EndsWith(";q=0", StringComparison.Ordinal))
            .Select(e => e.Split(';')[0].Trim())
            .ToHashSet(StringComparer.OrdinalIgnoreCase);
        if (accepted.Contains("br")) return (_brotli.Value, "br");
        if (accepted.Contains("gzip")) return (_gzip.Value, "gzip");
        return (Content, null);
    }

    private static byte[] Compress(byte[] content, Func<Stream, Stream> compressor)
    {
        using var output = new MemoryStream();
        using (var stream = compressor(output)) stream.Write(content);
        return output.ToArray();
    }
}
