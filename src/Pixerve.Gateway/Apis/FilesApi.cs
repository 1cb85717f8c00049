using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.StaticFiles;
using Microsoft.Extensions.FileProviders;
using Pixerve.Imaging.Inspection.Formats;

namespace Pixerve.Gateway.Apis;

/// <summary><c>GET /files/{subDir}/{name}</c>: the <c>directHost</c> outputs, confined to the serve directory.</summary>
public static class FilesApi
{
    public const string FilesContentSecurityPolicy = "default-src 'none'; sandbox";

    /// <summary>
    /// The static file middleware serves what exists (ETag, Range, immutable caching); it runs before routing, so
    /// the endpoint below only answers for what does not.
    /// </summary>
    public static IApplicationBuilder UseServedFiles(this IApplicationBuilder app, string serveDir)
    {
        Directory.CreateDirectory(serveDir);
        var contentTypes = new FileExtensionContentTypeProvider();
        // Every extension Pixerve writes, with the type the format tables give it (ASP.NET's own map lacks some).
        foreach (var (extension, contentType) in ServedContentTypes.All) contentTypes.Mappings[extension] = contentType;
        // Every /files answer, found or not: the browser is not to guess another type (an image that sniffs as
        // HTML), and what is served is never a document that may run script or load anything.
        app.Use((context, next) =>
        {
            if (context.Request.Path.StartsWithSegments("/files"))
            {
                context.Response.Headers.XContentTypeOptions = "nosniff";
                context.Response.Headers.ContentSecurityPolicy = FilesContentSecurityPolicy;
            }
            return next(context);
        });
        return app.UseStaticFiles(new StaticFileOptions
        {
            RequestPath = "/files",
            FileProvider = new PhysicalFileProvider(serveDir),
            ContentTypeProvider = contentTypes,
            // Output names carry the content hash, so a name never changes meaning; an error answer (416) does.
            OnPrepareResponse = context => context.Context.Response.Headers.CacheControl =
                context.Context.Response.StatusCode < 400 ? "public, max-age=31536000, immutable" : "no-store",
        });
    }

    public static IEndpointRouteBuilder MapFilesApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/files/{**path}", ProblemHttpResult (string path) =>
                TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, detail: $"no file {path}"))
            .WithTags("Files").WithName("getFile")
            .Produces(StatusCodes.Status200OK, typeof(byte[]), ServedContentTypes.All[0].ContentType, ServedContentTypes.All.Skip(1).Select(e => e.ContentType).ToArray())
            // Answered by the static file middleware for what exists: a Range (206), an If-None-Match that still holds
            // (304), a Range past the end (416, a problem written by the status code pages).
            .Produces(StatusCodes.Status206PartialContent, typeof(byte[]), ServedContentTypes.All[0].ContentType, ServedContentTypes.All.Skip(1).Select(e => e.ContentType).ToArray())
            .Produces(StatusCodes.Status304NotModified)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status416RangeNotSatisfiable)
            .WithSummary("A directHost output (ETag, Range, immutable caching)");
        return app;
    }
}
