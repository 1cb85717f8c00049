using System.ComponentModel.DataAnnotations;

namespace Pixerve.ServiceDefaults;

/// <summary>Bound from <c>Pixerve:Retention</c> (silos remove old records; gateways page only through days still kept).</summary>
public sealed class RetentionOptions
{
    public const string Section = "Pixerve:Retention";

    [Range(1, 36500)]
    public int Days { get; set; } = 30;

    /// <summary>Also delete a removed job's <c>directHost</c> files (off: served URLs keep working).</summary>
    public bool DeleteServedFiles { get; set; }

    [Range(typeof(TimeSpan), "00:00:01", "30.00:00:00")]
    public TimeSpan Period { get; set; } = TimeSpan.FromDays(1);
}
