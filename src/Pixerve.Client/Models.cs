using System.Text.Json;
using System.Text.Json.Serialization;

namespace Pixerve.Client;

/// <summary>
/// An accepted upload: the bare SHA-256 of the bytes, the job's id (content + the token's job claim), the names
/// of the files it will produce and where the job stands (<c>pending</c> for new work; the same work uploaded
/// again answers its existing job as it stands).
/// </summary>
public sealed record UploadedJob(string Hash, string JobId, IReadOnlyList<string> ExpectedFiles, string Status);

/// <summary>One file of a batch upload: the job it became, or the problem that refused it.</summary>
public sealed record BatchUploadEntry(string File, string? Hash, IReadOnlyList<string>? ExpectedFiles, PixerveProblem? Error)
{
    public string? JobId { get; init; }

    public string? Status { get; init; }

    [JsonIgnore] public bool Accepted => Error is null && Hash is not null;

    /// <summary>The job, or the refusal as an exception.</summary>
    public UploadedJob EnsureAccepted() => Accepted
        ? new UploadedJob(Hash!, JobId ?? "", ExpectedFiles ?? [], Status ?? JobStatuses.Pending)
        : throw new PixerveException(Error ?? PixerveProblem.Unexplained(0, "no job"));
}

/// <summary>The answer to a batch upload, one entry per file in the order sent.</summary>
public sealed record BatchUploadResult(IReadOnlyList<BatchUploadEntry> Jobs);

/// <summary>A file and its name, for <c>PixerveClient.UploadBatchAsync</c>.</summary>
public sealed record UploadFile(Stream Content, string FileName);

/// <summary><c>GET /status</c>: where a job is. <see cref="Status"/> is one of the <see cref="JobStatuses"/>.</summary>
public sealed record JobStatusReport(
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
    IReadOnlyList<OutputFile> Files,
    string? Error,
    WebhookDelivery? Webhook,
    string? ProcessedBy)
{
    /// <summary>The source image: its size, format and placeholders; null until the job has converted it.</summary>
    public SourceImageInfo? Source { get; init; }

    /// <summary>Every output once, in the order the job names them, with its real size and where it was stored.</summary>
    public IReadOnlyList<OutputDescription> Outputs { get; init; } = [];

    /// <summary>How many outputs are made, counted in the order the job names them (all of them once completed).</summary>
    public int OutputsDone { get; init; }

    /// <summary>How many outputs the job makes: <see cref="JobStatusReport.ExpectedFiles"/>' count.</summary>
    public int OutputsTotal { get; init; }

    /// <summary>What kind of failure <see cref="Error"/> is (<c>decode</c>, <c>storage</c>, <c>credential</c>, …); null while there is none.</summary>
    public string? ErrorCategory { get; init; }

    /// <summary>The correlation id of the error: quote it to the operator, who finds the detail in the server's logs.</summary>
    public string? ErrorId { get; init; }

    /// <summary>The error in full (hosts, paths, exception text): only when read with the admin token.</summary>
    public string? ErrorDetail { get; init; }

    /// <summary>Completed, failed or cancelled: the status will not change again.</summary>
    [JsonIgnore] public bool IsFinal => JobStatuses.IsFinal(Status);
}

/// <summary>The values of <see cref="JobStatusReport.Status"/>.</summary>
public static class JobStatuses
{
    public const string Pending = "pending";
    public const string Processing = "processing";
    public const string Completed = "completed";
    public const string Failed = "failed";
    public const string Cancelled = "cancelled";

    public static bool IsFinal(string status) => status is Completed or Failed or Cancelled;

    /// <summary>True for a job status; <c>/events</c> also sends progress events (<c>source</c>, <c>output_done</c>).</summary>
    public static bool IsStatus(string value) => value is Pending or Processing || IsFinal(value);
}

/// <summary>
/// One output stored on one backend; <see cref="Location"/> is a URL, <c>gs://</c> name, <c>sftp://</c> path,
/// <c>/files/…</c>, or for a <c>direct</c> credential without a base URL the path relative to its directory.
/// </summary>
public sealed record OutputFile(string Name, string Backend, string Location, long Bytes, int Width, int Height);

/// <summary>
/// The source image as the job converted it. <see cref="Width"/>/<see cref="Height"/> are after its EXIF orientation;
/// <see cref="Format"/> is its extension (<c>jpg</c>, <c>png</c>, <c>gif</c>, <c>webp</c>, <c>avif</c>, <c>heic</c>);
/// <see cref="DominantColor"/> is <c>#rrggbb</c> (null for a wholly transparent image); <see cref="Thumbhash"/> is
/// base64 (with padding) of the ThumbHash bytes; <see cref="Blurhash"/> has 4×3 components.
/// </summary>
public sealed record SourceImageInfo(
    string Format, int Width, int Height, bool HasAlpha, string? DominantColor, string Thumbhash, string Blurhash, int Frames);

/// <summary>One output: its format key (<c>jpg</c>, <c>webp</c>, …, <c>original</c>), real pixel size, bytes and every place it was stored.</summary>
public sealed record OutputDescription(string Name, string Format, int Width, int Height, long Bytes, IReadOnlyList<OutputLocation> Locations);

/// <summary>Where one backend stored an output; <see cref="Location"/> as in <see cref="OutputFile.Location"/>.</summary>
public sealed record OutputLocation(string Backend, string Location);

/// <summary>How the job's completion webhook went.</summary>
public sealed record WebhookDelivery(string Status, int Attempts, int? LastStatusCode, string? LastError, DateTimeOffset? DeliveredAt);

/// <summary>
/// <c>GET /success</c> or <c>GET /failures</c>: <see cref="Status"/> is <c>success</c>, <c>failed</c> or <c>not_found</c>;
/// the other fields are set when there is a record.
/// </summary>
public sealed record JobRecord(string Hash, string JobId, string Status, DateTimeOffset? Timestamp, int? FileCount, string? Error, JobData? JobData)
{
    /// <summary>As <see cref="JobStatusReport.ErrorCategory"/>.</summary>
    public string? ErrorCategory { get; init; }

    /// <summary>As <see cref="JobStatusReport.ErrorId"/>.</summary>
    public string? ErrorId { get; init; }

    /// <summary>As <see cref="JobStatusReport.ErrorDetail"/>: the admin token's only.</summary>
    public string? ErrorDetail { get; init; }

    [JsonIgnore] public bool Found => Status != "not_found";
}

/// <summary>What the job asked for (its token's job claim, callback header values hidden) and what it produced.</summary>
public sealed record JobData(JsonElement? Spec, IReadOnlyList<string> ExpectedFiles, IReadOnlyList<OutputFile> Files, int Attempts)
{
    public SourceImageInfo? Source { get; init; }

    public IReadOnlyList<OutputDescription> Outputs { get; init; } = [];
}

/// <summary>An RFC 7807 problem as the server sent it; <see cref="Field"/> names the job spec field a 400 blames.</summary>
public sealed record PixerveProblem(string? Type, string? Title, int Status, string? Detail, string? Field = null)
{
    /// <summary>Members beyond the standard ones (<c>traceId</c>, a wholly refused batch's <c>jobs</c>).</summary>
    [JsonExtensionData] public Dictionary<string, JsonElement>? Extensions { get; init; }

    internal static PixerveProblem Unexplained(int status, string detail) => new(null, null, status, detail);
}
