using System.Text.Json;

namespace Pixerve.Grains.Jobs;

/// <summary>The body POSTed to <c>completionCallback</c> when a job ends.</summary>
public sealed record WebhookPayload(
    string Hash,
    string JobId,
    string Status,
    int FileCount,
    DateTimeOffset Timestamp,
    IReadOnlyList<StoredFile> Files,
    string? Error,
    SourceInfo? Source,
    IReadOnlyList<JobOutput> Outputs)
{
    private static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull,
    };

    public static byte[] For(string hash, string jobId, JobState state) => JsonSerializer.SerializeToUtf8Bytes(new WebhookPayload(
        hash, jobId, state.Status.ToWire(), state.Files.Count, state.FinishedAt ?? state.UpdatedAt, state.Files, state.Error,
        state.Source, JobOutput.Of(state.Outputs, state.Files)), Json);
}
