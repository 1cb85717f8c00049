using System.ComponentModel.DataAnnotations;
using Pixerve.GrainInterfaces.Jobs;

namespace Pixerve.Grains.Jobs;

/// <summary>Bound from <c>Pixerve:Jobs</c>.</summary>
public sealed class JobOptions
{
    public const string Section = "Pixerve:Jobs";

    /// <summary>Conversions running at once on one silo; 0 means one per core.</summary>
    [Range(0, 1024)]
    public int Concurrency { get; set; }

    /// <summary>
    /// How often a job that is not final is made sure to be queued or running somewhere: the staging sweep asks every
    /// staged upload's job at least this often (<c>Pixerve:Staging:SweepPeriod</c>).
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00")]
    public TimeSpan ResumePeriod { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>Runs that break for a reason outside the image (storage, a lost silo) before the job fails.</summary>
    [Range(1, 100)]
    public int MaxAttempts { get; set; } = 3;

    /// <summary>Pending jobs one silo holds before uploads get 503 instead of piling up without bound.</summary>
    [Range(1, int.MaxValue)]
    public int MaxQueueDepth { get; set; } = 10_000;

    /// <summary>
    /// How long one conversion may run before it is cancelled and its job fails with that reason. Long AVIF encodes
    /// of large photos take minutes on a busy silo; the ceiling is what the converter's grain call allows.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:01", ConversionLimits.MaxConversionTimeCeiling)]
    public TimeSpan MaxConversionTime { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>How many times a failed job may be retried (<c>POST /retry</c>) before a retry is refused with 409.</summary>
    [Range(0, 100)]
    public int MaxRetries { get; set; } = 3;

    /// <summary>
    /// The silo queues its jobs but starts none: they stay pending (and count against <see cref="MaxQueueDepth"/>) until
    /// it restarts without this. For a window in which conversions must not run (a backend's maintenance), and for
    /// clients' tests of what they do while a job waits.
    /// </summary>
    public bool Paused { get; set; }

    public int EffectiveConcurrency => Concurrency > 0 ? Concurrency : Environment.ProcessorCount;
}
