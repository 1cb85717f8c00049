namespace Pixerve.GrainInterfaces.Operations;

/// <summary>A silo's last report, stamped with the time the stats grain received it.</summary>
[GenerateSerializer, Alias("pixerve.SiloQueueStats"), Immutable]
public sealed record SiloQueueStats(
    [property: Id(0)] string Silo,
    [property: Id(1)] int Queued,
    [property: Id(2)] int Running,
    [property: Id(3)] DateTimeOffset UpdatedAt);
