using System.ComponentModel.DataAnnotations;

namespace Pixerve.Gateway.Upload;

/// <summary>
/// Bound from <c>Pixerve:Limits</c>: the gateway's limits on requests. The limits on the image itself
/// (<c>MaxSourcePixels</c>, <c>MaxFrames</c>) are <see cref="Pixerve.Imaging.Inspection.ImageLimitsOptions"/>, which the
/// silos' converter reads too.
/// </summary>
public sealed class UploadOptions
{
    public const string Section = "Pixerve:Limits";

    [Range(1, long.MaxValue)]
    public long MaxUploadBytes { get; set; } = 50L * 1024 * 1024;

    /// <summary>How many <c>file</c> parts one <c>POST /upload</c> may carry; each becomes a job of its own.</summary>
    [Range(1, 1000)]
    public int MaxFilesPerUpload { get; set; } = 20;

    /// <summary>How many files one job may produce (each size of each format, and the original): 400 beyond.</summary>
    [Range(1, 10_000)]
    public int MaxOutputsPerJob { get; set; } = JobSpecParser.DefaultMaxOutputs;

    /// <summary>
    /// How much of the start of a file may be buffered to find its dimensions. JPEG puts its APPn segments
    /// (EXIF, ICC, XMP: usually well under 256 KB) before the frame header.
    /// </summary>
    [Range(1024, MaxHeaderBytesCeiling)]
    public int MaxHeaderBytes { get; set; } = 256 * 1024;

    /// <summary>
    /// The slowest a request body may arrive, on average, once <see cref="RequestBodyGracePeriod"/> has passed
    /// (Kestrel's <c>MinRequestBodyDataRate</c>, for every endpoint): slower is a 408, so a client trickling bytes
    /// cannot hold a connection and a staging upload open for hours.
    /// </summary>
    [Range(1, 1_000_000_000)]
    public double MinRequestBodyBytesPerSecond { get; set; } = 240;

    /// <summary>How long a request body may arrive slower than <see cref="MinRequestBodyBytesPerSecond"/> before it counts (over 1 s: Kestrel's heartbeat).</summary>
    [Range(typeof(TimeSpan), "00:00:01.001", "01:00:00")]
    public TimeSpan RequestBodyGracePeriod { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// How long the gateway goes on reading (and discarding) the rest of a refused upload's body before it answers,
    /// so that a client which writes the whole body before reading sees the answer instead of a broken pipe. A body
    /// not over by then is left unread and its connection closed. 0: never read a refused body.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:10:00")]
    public TimeSpan RefusedBodyDrainTime { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Jobs of one token subject (<c>sub</c>; tokens without one share a subject) that may be waiting or running at
    /// once across the cluster: one more upload is a 429, so one caller cannot fill the queues of every silo.
    /// </summary>
    [Range(1, 1_000_000)]
    public int MaxPendingJobsPerSubject { get; set; } = 200;

    /// <summary>The header is handed to staging as the start of its first block, so it may not exceed one.</summary>
    public const int MaxHeaderBytesCeiling = 4 * 1024 * 1024;
}
