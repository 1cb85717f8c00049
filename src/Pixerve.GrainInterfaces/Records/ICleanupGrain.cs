namespace Pixerve.GrainInterfaces.Records;

/// <summary>Removes records older than the retention; a daily reminder drives it.</summary>
[Alias("pixerve.ICleanupGrain")]
public interface ICleanupGrain : IGrainWithIntegerKey
{
    [Alias("EnsureScheduled")]
    Task EnsureScheduled();

    [Alias("RememberDay")]
    Task RememberDay(string day);

    /// <summary>Removes every record that ended before <paramref name="now"/> minus the retention; returns how many.</summary>
    [Alias("Run")]
    Task<int> Run(DateTimeOffset now);
}
