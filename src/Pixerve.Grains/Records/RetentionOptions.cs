namespace Pixerve.Grains.Records;

/// <summary>Bound from <c>Pixerve:Retention</c>.</summary>
public sealed class RetentionOptions
{
    public const string Section = "Pixerve:Retention";

    public int Days { get; set; } = 30;

    /// <summary>Also delete a removed job's <c>directHost</c> files (off: served URLs keep working).</summary>
    public bool DeleteServedFiles { get; set; }

    public TimeSpan Period { get; set; } = TimeSpan.FromDays(1);
}
