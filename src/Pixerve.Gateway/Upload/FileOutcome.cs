using Microsoft.AspNetCore.Http.HttpResults;

namespace Pixerve.Gateway.Upload;

/// <summary>What became of one <c>file</c> part: a job, or the problem that refused it.</summary>
public sealed record FileOutcome(string FileName, UploadResponse? Job, ProblemHttpResult? Refusal)
{
    public static FileOutcome Accepted(string fileName, UploadResponse job) => new(fileName, job, null);

    public static FileOutcome Refused(string fileName, int status, string detail, string? field = null) =>
        new(fileName, null, TypedResults.Problem(statusCode: status, detail: detail,
            extensions: field is null ? null : new Dictionary<string, object?> { ["field"] = field }));

    /// <summary>409: names another job of the same bytes holds in the same place for other work; <c>files</c> lists them.</summary>
    public static FileOutcome Conflict(string fileName, string detail, IReadOnlyList<string> files) =>
        new(fileName, null, TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, detail: detail,
            extensions: new Dictionary<string, object?> { ["files"] = files }));

    /// <summary>The answer when this is the only file of the request: exactly what a single upload has always answered.</summary>
    public IResult ToResult() => Job is not null ? TypedResults.Ok(Job) : Refusal!;

    public BatchUploadEntry ToEntry() => new(FileName)
    {
        Hash = Job?.Hash, JobId = Job?.JobId, ExpectedFiles = Job?.ExpectedFiles, Status = Job?.Status, Error = Refusal?.ProblemDetails,
    };
}
