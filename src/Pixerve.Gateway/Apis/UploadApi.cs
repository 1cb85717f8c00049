using Pixerve.Gateway.Auth;
using Pixerve.Gateway.OpenApi;
using Pixerve.Gateway.Upload;

namespace Pixerve.Gateway.Apis;

/// <summary><c>POST /upload</c>: one job per <c>file</c> part, answered at once (<see cref="UploadHandler"/>).</summary>
public static class UploadApi
{
    public static IEndpointRouteBuilder MapUploadApi(this IEndpointRouteBuilder app)
    {
        app.MapPost("/upload", (HttpContext http, UploadHandler handler) => handler.HandleAsync(http))
            .WithTags("Upload").WithName("upload")
            .WithTokenHint(TokenErrors.Missing)
            .Accepting([SecuritySchemes.JobToken])
            .Accepts<UploadForm>("multipart/form-data")
            .Produces<UploadResponse>()
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status408RequestTimeout)
            .ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge)
            .ProducesProblem(StatusCodes.Status415UnsupportedMediaType)
            .ProducesProblem(StatusCodes.Status429TooManyRequests)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable)
            .WithSummary("Upload an image; answers at once with its hash and the files it will produce")
            .WithDescription("Several 'file' parts (up to Pixerve:Limits:MaxFilesPerUpload) make one job each and answer " +
                "{jobs: [{file, hash, job_id, expected_files, status} | {file, error}]} in part order; one part answers " +
                "{hash, job_id, expected_files, status}. The same bytes under the same job claim are one job: uploading them " +
                "again answers that job as it stands. Stored files are never replaced: a file name the same bytes already have in the " +
                "same place from other settings answers 409, naming it under 'files'.")
            .AddOpenApiOperationTransformer(UploadAnswer.DescribeBothShapesAsync)
            .AddOpenApiOperationTransformer(ContractOperations.DescribeUploadFormAsync);
        // Any other content type: the Accepts metadata above would have routing answer 415 itself, before the handler,
        // leaving the body to Kestrel (read after the answer, for five seconds) and a client waiting on
        // Expect: 100-continue never told not to send it. Here the handler refuses it like any other upload it refuses.
        app.MapPost("/upload", (HttpContext http, UploadHandler handler) => handler.HandleAsync(http))
            .WithOrder(1).WithTokenHint(TokenErrors.Missing)
            .ExcludeFromDescription();
        return app;
    }
}
