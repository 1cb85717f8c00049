using System.ComponentModel.DataAnnotations;
using Pixerve.GrainInterfaces.Operations;

namespace Pixerve.Grains.Operations;

public sealed class StatsOptions
{
    public const string Section = "Pixerve:Stats";

    /// <summary>How often each silo reports its queue to <see cref="IClusterStatsGrain"/>.</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "01:00:00")]
    public TimeSpan ReportPeriod { get; set; } = TimeSpan.FromSeconds(2);
}
