using Pixerve.Gateway.Auth;
using Pixerve.Gateway.OpenApi;
using Pixerve.Gateway.Resumable;
using Pixerve.Gateway.Upload;

namespace Pixerve.Gateway.Apis;

/// <summary>Resumable uploads (tus 1.0) at <c>/uploads</c>: see <see cref="ResumableUploadHandler"/>.</summary>
public static class ResumableUploadApi
{
    public static IEndpointRouteBuilder MapResumableUploadApi(this IEndpointRouteBuilder app)
    {
        var uploads = app.MapGroup("/uploads").WithTags("Resumable uploads")
            .ProducesProblem(StatusCodes.Status401Unauthorized).ProducesProblem(StatusCodes.Status412PreconditionFailed)
            .WithTokenHint(TokenErrors.MissingForResumable).Accepting([SecuritySchemes.JobToken]);
        uploads.MapMethods("", [HttpMethods.Options], (HttpContext http, ResumableUploadHandler handler) => handler.Options(http)).WithName("getResumableUploadOptions")
            .Accepting([]) // tus discovery: no token
            .Produces(StatusCodes.Status204NoContent)
            .WithSummary("The tus versions, extensions and largest upload this server takes");
        uploads.MapPost("", (HttpContext http, ResumableUploadHandler handler) => handler.CreateAsync(http)).WithName("createResumableUpload")
            .Produces(StatusCodes.Status201Created)
            .ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge).ProducesProblem(StatusCodes.Status415UnsupportedMediaType)
            .ProducesProblem(StatusCodes.Status429TooManyRequests).ProducesProblem(StatusCodes.Status503ServiceUnavailable)
            .WithSummary("Create a resumable upload of Upload-Length bytes (tus creation; a body is its first part)")
            .WithDescription("Tus-Resumable: 1.0.0 and the job token as Authorization: Bearer; Upload-Metadata 'filename' names the file. " +
                "Answers 201 with Location, Upload-Offset and Upload-Expires; a body that completes the upload makes its job at once " +
                "(Pixerve-Hash, Pixerve-Job-Id, Pixerve-Status, Pixerve-Expected-Files).");
        uploads.MapMethods("/{id}", [HttpMethods.Head], (HttpContext http, string id, ResumableUploadHandler handler) => handler.HeadAsync(http, id)).WithName("getResumableUploadOffset")
            .Produces(StatusCodes.Status200OK).ProducesProblem(StatusCodes.Status404NotFound)
            .WithSummary("Where an upload stands (Upload-Offset); once complete, its job (Pixerve-* headers)");
        uploads.MapMethods("/{id}", [HttpMethods.Patch], (HttpContext http, string id, ResumableUploadHandler handler) => handler.PatchAsync(http, id)).WithName("appendResumableUpload")
            .Produces(StatusCodes.Status204NoContent)
            .ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict).ProducesProblem(StatusCodes.Status413PayloadTooLarge)
            .ProducesProblem(StatusCodes.Status415UnsupportedMediaType).ProducesProblem(StatusCodes.Status429TooManyRequests)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable)
            .WithSummary("Send the next part (application/offset+octet-stream) at the server's Upload-Offset")
            .WithDescription("The part that brings the last byte makes the job as POST /upload does and answers with Pixerve-Hash, " +
                "Pixerve-Job-Id, Pixerve-Status and Pixerve-Expected-Files (comma-separated, in spec order), or with the problem that refused it.");
        uploads.MapGet("/{id}", (HttpContext http, string id, ResumableUploadHandler handler) => handler.GetAsync(http, id)).WithName("getResumableUploadJob")
            .Produces<UploadResponse>().ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict)
            .WithSummary("The job a complete upload became, as POST /upload answers it");
        uploads.MapDelete("/{id}", (HttpContext http, string id, ResumableUploadHandler handler) => handler.DeleteAsync(http, id)).WithName("terminateResumableUpload")
            .Produces(StatusCodes.Status204NoContent).ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict)
            .WithSummary("Terminate an unfinished upload and remove its parts");
        return app;
    }
}
