using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;
using Pixerve.Gateway.UploadPage;

namespace Pixerve.Gateway.Apis;

/// <summary>
/// The upload page (<c>GET /</c>) and its bundle (<c>GET /upload-page/{name}</c>), mapped only when
/// <c>Pixerve:Gateway:UploadPage</c> is on: otherwise both are the 404 of any unknown path.
/// </summary>
public static class UploadPageApi
{
    /// <summary>
    /// Scripts and styles from this gateway only, nothing inline; images from it (outputs under <c>/files</c>) and
    /// the page's own placeholders (ThumbHash as data: URLs, Uppy's previews as blob: URLs); fetches to it only.
    /// </summary>
    public const string PageContentSecurityPolicy =
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; connect-src 'self'; " +
        "base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

    public static IEndpointRouteBuilder MapUploadPageApi(this IEndpointRouteBuilder app)
    {
        var options = app.ServiceProvider.GetRequiredService<IOptions<UploadPageOptions>>().Value;
        if (!options.UploadPage) return app;
        var assets = new UploadPageAssets();

        app.MapMethods("/", [HttpMethods.Get, HttpMethods.Head], (HttpContext http) =>
        {
            var headers = http.Response.Headers;
            // It may carry the demo token: never kept by a cache.
            headers.CacheControl = "no-store";
            headers.ContentSecurityPolicy = PageContentSecurityPolicy;
            headers.XContentTypeOptions = "nosniff";
            headers["Referrer-Policy"] = "no-referrer";
            return TypedResults.Content(assets.Page(options.UploadPageDemoToken), "text/html; charset=utf-8");
        }).ExcludeFromDescription();

        app.MapMethods("/upload-page/{name}", [HttpMethods.Get, HttpMethods.Head], Asset(assets)).ExcludeFromDescription();
        return app;
    }

    private static Func<string, string?, HttpContext, Results<FileContentHttpResult, StatusCodeHttpResult, ProblemHttpResult>> Asset(
        UploadPageAssets assets) => (name, v, http) =>
    {
        if (!assets.Files.TryGetValue(name, out var asset))
            return TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, detail: $"no file /upload-page/{name}");

        var headers = http.Response.Headers;
        headers.ETag = asset.ETag;
        headers.XContentTypeOptions = "nosniff";
        headers.Vary = HeaderNames.AcceptEncoding;
        // The page names each file with its version: that URL never changes meaning. Any other is revalidated.
        headers.CacheControl = v == asset.Version ? "public, max-age=31536000, immutable" : "public, no-cache";
        if (http.Request.Headers.IfNoneMatch.Any(tag => tag is not null && (tag == asset.ETag || tag == "*" ||
                tag.Split(',', StringSplitOptions.TrimEntries).Contains(asset.ETag))))
            return TypedResults.StatusCode(StatusCodes.Status304NotModified);

        var (bytes, encoding) = asset.For(http.Request.Headers.AcceptEncoding);
        if (encoding is not null) headers.ContentEncoding = encoding;
        return TypedResults.Bytes(bytes, asset.ContentType);
    };
}
