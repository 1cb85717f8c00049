using System.Text.Json;
using Pixerve.GrainInterfaces.Jobs;

namespace Pixerve.Grains.Jobs;

/// <summary>The body POSTed to <c>completionCallback</c> when a job ends.</summary>
/// <remarks>
/// The callback goes wherever the token holder pointed it: the error is the safe one (<see cref="JobError"/>), with
/// its category and correlation id, never its detail.
/// </remarks>
public sealed record WebhookPayload(
    string Hash,
    string JobId,
    string Status,
    int FileCount,
    DateTimeOffset Timestamp,
    IReadOnlyList<StoredFile> Files,
    string? Error,
    string? ErrorCategory,
    string? ErrorId,
    SourceInfo? Source,
    IReadOnlyList<JobOutput> Outputs)
{
    private static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull,
    };

    public static byte[] For(string hash, string jobId, JobState state)
    {
        var failure = state.Failure;
        return JsonSerializer.SerializeToUtf8Bytes(new WebhookPayload(
            hash, jobId, state.Status.ToWire(), state.Files.Count, state.FinishedAt ?? state.UpdatedAt, state.Files,
            failure?.Message, failure?.Category, failure?.CorrelationId, state.Source, JobOutput.Of(state.Outputs, state.Files)), Json);
    }
}
