using System.Text.Encodings.Web;

namespace Pixerve.Gateway.UploadPage;

/// <summary>
/// The page and its bundle, read from the gateway's embedded resources once: <c>index.html</c> with the bundle's
/// versions in its URLs, and <c>dist/</c> (built by <c>UploadPage/build.mjs</c>, checked in).
/// </summary>
public sealed class UploadPageAssets
{
    private const string ResourcePrefix = "Pixerve.Gateway.UploadPage.";

    private readonly string _page;

    public UploadPageAssets()
    {
        Files = new Dictionary<string, UploadPageAsset>(StringComparer.Ordinal)
        {
            ["upload.js"] = new("upload.js", "text/javascript; charset=utf-8", Read("dist.upload.js")),
            ["upload.css"] = new("upload.css", "text/css; charset=utf-8", Read("dist.upload.css")),
            ["THIRD-PARTY-NOTICES.txt"] = new("THIRD-PARTY-NOTICES.txt", "text/plain; charset=utf-8", Read("dist.THIRD-PARTY-NOTICES.txt")),
        };
        _page = System.Text.Encoding.UTF8.GetString(Read("index.html"))
            .Replace("{{js-version}}", Files["upload.js"].Version, StringComparison.Ordinal)
            .Replace("{{css-version}}", Files["upload.css"].Version, StringComparison.Ordinal);
    }

    /// <summary>The bundle's files by the name they are served under (<c>/upload-page/{name}</c>).</summary>
    public IReadOnlyDictionary<string, UploadPageAsset> Files { get; }

    /// <summary>The page, its token field starting with <paramref name="token"/> (attribute-encoded).</summary>
    public string Page(string? token) => _page.Replace("{{token}}", HtmlEncoder.Default.Encode(token ?? ""), StringComparison.Ordinal);

    private static byte[] Read(string name)
    {
        using var stream = typeof(UploadPageAssets).Assembly.GetManifestResourceStream(ResourcePrefix + name)
            ?? throw new InvalidOperationException($"{ResourcePrefix}{name} is not embedded in the gateway");
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    }
}
