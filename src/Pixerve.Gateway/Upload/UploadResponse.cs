using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Mvc;

namespace Pixerve.Gateway.Upload;

/// <summary>
/// The answer to a single-file upload: clients written against the first single-file answer depend on <c>hash</c> and <c>expected_files</c>; <c>job_id</c>
/// names the job (content + requested work) and <c>status</c> is where it stands (pending for new work).
/// </summary>
public sealed record UploadResponse(string Hash, string JobId, IReadOnlyList<string> ExpectedFiles, string Status);

/// <summary>The answer to an upload of several <c>file</c> parts: one entry per part, in part order.</summary>
public sealed record BatchUploadResponse(IReadOnlyList<BatchUploadEntry> Jobs);

/// <summary>A job (<c>hash</c>, <c>job_id</c>, <c>expected_files</c>, <c>status</c>) or the problem that refused the file (<c>error</c>); only <c>file</c> is always there.</summary>
public sealed record BatchUploadEntry(string File)
{
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public string? Hash { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public string? JobId { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public IReadOnlyList<string>? ExpectedFiles { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public string? Status { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public ProblemDetails? Error { get; init; }
}
