using Orleans.Concurrency;

namespace Pixerve.GrainInterfaces.Records;

/// <summary>Removes records older than the retention; a daily reminder drives it.</summary>
[Alias("pixerve.ICleanupGrain")]
public interface ICleanupGrain : IGrainWithIntegerKey
{
    [Alias("EnsureScheduled")]
    Task EnsureScheduled();

    [Alias("RememberDay")]
    Task RememberDay(string day);

    /// <summary>
    /// The days that have an index (<c>yyyy-MM-dd</c>, oldest first): where the list pages look. Interleaves with a
    /// cleanup run, so a page never waits for one.
    /// </summary>
    [AlwaysInterleave, CallableFromGateway, Alias("Days")]
    Task<IReadOnlyList<string>> Days();

    /// <summary>Removes every record that ended before <paramref name="now"/> minus the retention; returns how many.</summary>
    [Alias("Run")]
    Task<int> Run(DateTimeOffset now);
}
