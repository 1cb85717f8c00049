using System.Text.Json;
using System.Text.Json.Nodes;

namespace Pixerve.Gateway.Jobs;

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
    WebhookResponse? Webhook,
    string? ProcessedBy,
    SourceInfo? Source,
    IReadOnlyList<JobOutput> Outputs)
{
    public static StatusResponse From(JobSnapshot job) => new(job.Hash, job.JobId, job.Status.ToWire(), job.Priority, job.CreatedAt,
        job.UpdatedAt, job.StartedAt, job.FinishedAt, job.Attempts, job.ExpectedFiles, job.Files, job.Error,
        job.Webhook is { } w ? new WebhookResponse(w.Outcome.ToString().ToLowerInvariant(), w.Attempts, w.LastStatusCode, w.LastError, w.DeliveredAt) : null,
        job.ProcessedBy, job.Source, JobOutput.Of(job.Outputs, job.Files));
}

public sealed record WebhookResponse(string Status, int Attempts, int? LastStatusCode, string? LastError, DateTimeOffset? DeliveredAt);

/// <summary>Every job of one content hash, oldest first: what the admin token sees of <c>GET /status?hash=</c>.</summary>
public sealed record HashJobs(string Hash, IReadOnlyList<StatusResponse> Jobs);

public sealed record RecordStatus(string Hash, string JobId, string Status);

public sealed record SuccessRecord(string Hash, string JobId, string Status, DateTimeOffset Timestamp, int FileCount, JobData JobData);

public sealed record FailureRecord(string Hash, string JobId, string Status, DateTimeOffset Timestamp, string Error, JobData JobData);

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

public sealed record RecordListItem(string Hash, string JobId, DateTimeOffset Timestamp, int FileCount, string? Error);
