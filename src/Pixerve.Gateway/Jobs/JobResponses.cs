using System.Security.Claims;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using Pixerve.GrainInterfaces.Jobs;
using Pixerve.GrainInterfaces.Records;
using Pixerve.Gateway.Admin;

namespace Pixerve.Gateway.Jobs;

/// <summary>
/// What of a job's error a caller reads: everyone its safe message, category and correlation id; the admin also its
/// detail (exception text, endpoints, user names, paths).
/// </summary>
public static class JobErrorView
{
    /// <summary>The one place that decides who reads an error's detail.</summary>
    public static bool SeesDetail(ClaimsPrincipal caller) => caller.IsAdmin();

    public static JobError? Of(JobSnapshot job) => job.Failure;
}

/// <param name="Error">The safe message: never a host, a path on a silo or a user name.</param>
/// <param name="ErrorCategory">See <see cref="JobErrorCategory"/>.</param>
/// <param name="ErrorId">The correlation id of the silo log lines with the detail.</param>
/// <param name="ErrorDetail">The admin's only: absent for a job token.</param>
/// <param name="OutputsDone">Outputs made so far, counted in plan order (<see cref="JobSnapshot.OutputsDone"/>).</param>
/// <param name="OutputsTotal">Outputs the job plans: <paramref name="ExpectedFiles"/>' count.</param>
public sealed record StatusResponse(
    string Hash,
    string JobId,
    string Status,
    int Priority,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt,
    DateTimeOffset? StartedAt,
    DateTimeOffset? FinishedAt,
    int Attempts,
    IReadOnlyList<string> ExpectedFiles,
    IReadOnlyList<StoredFile> Files,
    string? Error,
    string? ErrorCategory,
    string? ErrorId,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? ErrorDetail,
    WebhookResponse? Webhook,
    string? ProcessedBy,
    SourceInfo? Source,
    IReadOnlyList<JobOutput> Outputs,
    int OutputsDone,
    int OutputsTotal,
    int Retries,
    IReadOnlyList<AttemptResponse> History)
{
    /// <param name="withDetail"><see cref="JobErrorView.SeesDetail"/> of the caller.</param>
    public static StatusResponse From(JobSnapshot job, bool withDetail)
    {
        var error = JobErrorView.Of(job);
        return new(job.Hash, job.JobId, job.Status.ToWire(), job.Priority, job.CreatedAt,
            job.UpdatedAt, job.StartedAt, job.FinishedAt, job.Attempts, job.ExpectedFiles, job.Files,
            error?.Message, error?.Category, error?.CorrelationId, withDetail ? error?.Detail : null,
            job.Webhook is { } w ? new WebhookResponse(w.Outcome.ToString().ToLowerInvariant(), w.Attempts, w.LastStatusCode, w.LastError, w.DeliveredAt) : null,
            job.ProcessedBy, job.Source, JobOutput.Of(job.Outputs, job.Files),
            job.Status.IsFinal() ? job.Outputs.Count : job.OutputsDone, Math.Max(job.OutputsTotal, job.ExpectedFiles.Count), job.Retries,
            job.History.Select(a => AttemptResponse.From(a, withDetail)).ToList());
    }
}

/// <summary>One run of a job, oldest first in <see cref="StatusResponse.History"/>; error fields as there.</summary>
public sealed record AttemptResponse(
    int Attempt,
    DateTimeOffset StartedAt,
    DateTimeOffset EndedAt,
    string Outcome,
    string? ProcessedBy,
    string? Error,
    string? ErrorCategory,
    string? ErrorId,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? ErrorDetail)
{
    public static AttemptResponse From(JobAttempt attempt, bool withDetail) => new(attempt.Number, attempt.StartedAt, attempt.EndedAt,
        attempt.Outcome, attempt.Silo, attempt.Failure?.Message, attempt.Failure?.Category, attempt.Failure?.CorrelationId,
        withDetail ? attempt.Failure?.Detail : null);
}

public sealed record WebhookResponse(string Status, int Attempts, int? LastStatusCode, string? LastError, DateTimeOffset? DeliveredAt);

/// <summary>Every job of one content hash, oldest first: what the admin token sees of <c>GET /status?hash=</c>.</summary>
public sealed record HashJobs(string Hash, IReadOnlyList<StatusResponse> Jobs);

public sealed record RecordStatus(string Hash, string JobId, string Status);

public sealed record SuccessRecord(string Hash, string JobId, string Status, DateTimeOffset Timestamp, int FileCount, JobData JobData);

/// <summary>Error fields as in <see cref="StatusResponse"/>: <see cref="ErrorDetail"/> for the admin only.</summary>
public sealed record FailureRecord(
    string Hash,
    string JobId,
    string Status,
    DateTimeOffset Timestamp,
    string Error,
    string? ErrorCategory,
    string? ErrorId,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? ErrorDetail,
    JobData JobData)
{
    public static FailureRecord From(JobSnapshot job, bool withDetail)
    {
        var error = JobErrorView.Of(job);
        return new(job.Hash, job.JobId, "failed", job.FinishedAt!.Value, error?.Message ?? "", error?.Category, error?.CorrelationId,
            withDetail ? error?.Detail : null, JobData.From(job));
    }
}

/// <summary>What the job asked for (its token's job claim, callback header values hidden) and what it produced.</summary>
public sealed record JobData(
    JsonNode? Spec,
    IReadOnlyList<string> ExpectedFiles,
    IReadOnlyList<StoredFile> Files,
    int Attempts,
    SourceInfo? Source,
    IReadOnlyList<JobOutput> Outputs)
{
    public static JobData From(JobSnapshot job) => new(RedactedSpec(job.SpecJson), job.ExpectedFiles, job.Files, job.Attempts,
        job.Source, JobOutput.Of(job.Outputs, job.Files));

    private static JsonNode? RedactedSpec(string json)
    {
        JsonNode? spec;
        try
        {
            spec = JsonNode.Parse(json);
        }
        catch (JsonException)
        {
            return null;
        }

        // Callback headers often carry the client's own credentials.
        if (spec?["callbackHeaders"] is JsonObject headers)
            foreach (var name in headers.Select(h => h.Key).ToList()) headers[name] = "***";
        return spec;
    }
}

public sealed record RecordPage(IReadOnlyList<RecordListItem> Items, string? NextCursor);

/// <summary>One job of the admin's lists: error fields as in <see cref="StatusResponse"/>, the detail included.</summary>
public sealed record RecordListItem(
    string Hash,
    string JobId,
    DateTimeOffset Timestamp,
    int FileCount,
    string? Error,
    string? ErrorCategory,
    string? ErrorId,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? ErrorDetail)
{
    public static RecordListItem From(IndexEntry entry)
    {
        var error = entry.Failure;
        return new(entry.Hash, entry.JobId, entry.Timestamp, entry.FileCount, error?.Message, error?.Category, error?.CorrelationId, error?.Detail);
    }
}
