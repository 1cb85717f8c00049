using Microsoft.Extensions.Options;
using Pixerve.Gateway.Admin;
using Pixerve.Gateway.Resumable;

namespace Pixerve.Gateway.Cors;

/// <summary>
/// CORS for the endpoints a web page on another origin uses with a job token: uploads (both kinds), served files and the
/// job endpoints. Admin endpoints never answer cross-origin: their paths are left out, and an answer to the admin token
/// on a shared path (<c>/status</c>, say) has its CORS headers taken off, so no page elsewhere reads what the admin sees.
/// </summary>
public static class BrowserCors
{
    /// <summary>What a page may send: the token, and the tus headers (Uppy, tus-js-client).</summary>
    public static readonly string[] AllowedHeaders =
    [
        "Authorization", "Content-Type", "Tus-Resumable", "Upload-Length", "Upload-Offset", "Upload-Metadata", "Upload-Defer-Length",
        "Upload-Concat", "X-HTTP-Method-Override", "X-Requested-With", "Range", "If-Range", "If-None-Match", "If-Modified-Since",
        "Last-Event-ID", "Cache-Control",
    ];

    /// <summary>What a page may read of an answer besides the safelisted headers (its body, problem details included, always).</summary>
    public static readonly string[] ExposedHeaders =
    [
        "Location", "ETag", "Retry-After", "Content-Range", "Accept-Ranges", "Content-Length", "WWW-Authenticate",
        "Upload-Offset", "Upload-Length", "Upload-Expires", "Upload-Metadata", "Tus-Resumable", "Tus-Version", "Tus-Extension", "Tus-Max-Size",
        ResumableUploadHandler.HashHeader, ResumableUploadHandler.JobIdHeader, ResumableUploadHandler.StatusHeader,
        ResumableUploadHandler.ExpectedFilesHeader,
    ];

    private static readonly string[] JobPaths = ["/upload", "/uploads", "/status", "/events", "/cancel", "/retry", "/success", "/failures"];

    /// <summary>True for the paths that answer cross-origin; <c>/success/list</c>, <c>/failures/list</c> and <c>/admin…</c> are not among them.</summary>
    public static bool Answers(PathString path) =>
        JobPaths.Any(p => path.Equals(p, StringComparison.Ordinal)) ||
        path.StartsWithSegments("/uploads", StringComparison.Ordinal) || path.StartsWithSegments("/files", StringComparison.Ordinal);

    public static IApplicationBuilder UseBrowserCors(this IApplicationBuilder app)
    {
        var options = app.ApplicationServices.GetRequiredService<IOptions<BrowserCorsOptions>>().Value;
        if (options.AllowedOrigins.Length == 0) return app;
        return app.UseWhen(context => Answers(context.Request.Path), branch => branch
            .Use((context, next) =>
            {
                // Registered before the CORS middleware's own, so it runs after it: the last word on the headers.
                context.Response.OnStarting(() =>
                {
                    if (context.User.IsAdmin())
                        foreach (var name in context.Response.Headers.Keys.Where(k => k.StartsWith("Access-Control-", StringComparison.OrdinalIgnoreCase)).ToList())
                            context.Response.Headers.Remove(name);
                    return Task.CompletedTask;
                });
                return next(context);
            })
            .UseCors(policy => policy
                .WithOrigins(options.AllowedOrigins.Select(o => o.TrimEnd('/')).ToArray())
                .WithMethods("GET", "HEAD", "POST", "PATCH", "DELETE")
                .WithHeaders(AllowedHeaders)
                .WithExposedHeaders(ExposedHeaders)
                .SetPreflightMaxAge(options.PreflightMaxAge)));
    }
}
