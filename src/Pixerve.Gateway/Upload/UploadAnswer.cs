using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace Pixerve.Gateway.Upload;

/// <summary>Turns the outcomes of a request's file parts into its answer.</summary>
public static class UploadAnswer
{
    /// <summary>
    /// One file: its own answer, unchanged from before batches existed. Several: 200 with every outcome in part
    /// order, as one refused file does not sink the others; unless all were refused, when the first refusal's
    /// status is the answer (a client that checks only the status must not read "all failed" as success).
    /// </summary>
    public static IResult For(IReadOnlyList<FileOutcome> outcomes)
    {
        if (outcomes.Count == 1) return outcomes[0].ToResult();
        var entries = outcomes.Select(o => o.ToEntry()).ToList();
        if (outcomes.Any(o => o.Job is not null)) return TypedResults.Ok(new BatchUploadResponse(entries));

        var first = outcomes[0].Refusal!.ProblemDetails;
        var extensions = new Dictionary<string, object?>(first.Extensions) { ["jobs"] = entries };
        return TypedResults.Problem(statusCode: first.Status, detail: $"none of the {outcomes.Count} files was accepted; the first: {first.Detail}",
            extensions: extensions);
    }

    /// <summary>One 200 answer per status code is all endpoint metadata can say; the document names both shapes.</summary>
    public static async Task DescribeBothShapesAsync(OpenApiOperation operation, OpenApiOperationTransformerContext context,
        CancellationToken cancellationToken)
    {
        if (operation.Responses is null || !operation.Responses.TryGetValue("200", out var ok) ||
            ok.Content is null || !ok.Content.TryGetValue("application/json", out var json)) return;
        json.Schema = new OpenApiSchema
        {
            OneOf =
            [
                await context.GetOrCreateSchemaAsync(typeof(UploadResponse), null, cancellationToken),
                await context.GetOrCreateSchemaAsync(typeof(BatchUploadResponse), null, cancellationToken),
            ],
        };
    }
}
