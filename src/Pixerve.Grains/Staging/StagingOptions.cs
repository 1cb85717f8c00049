using System.ComponentModel.DataAnnotations;

namespace Pixerve.Grains.Staging;

/// <summary>Bound from <c>Pixerve:Staging</c>: the sweep of staged uploads.</summary>
public sealed class StagingOptions
{
    public const string Section = "Pixerve:Staging";

    /// <summary>
    /// How often each silo walks the staged uploads, asking their jobs about them: resuming jobs whose silo died,
    /// deleting the originals of finished jobs and leaked uploads. <c>Pixerve:Jobs:ResumePeriod</c>, when shorter, wins.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00")]
    public TimeSpan SweepPeriod { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>A staged upload younger than this is left alone: its upload may still be on its way to a job.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "30.00:00:00")]
    public TimeSpan MaxAge { get; set; } = TimeSpan.FromHours(1);
}
