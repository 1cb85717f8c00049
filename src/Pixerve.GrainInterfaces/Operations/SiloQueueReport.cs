namespace Pixerve.GrainInterfaces.Operations;

/// <summary>What one silo's job queue holds now; <paramref name="ReportPeriod"/> says when to expect the next report.</summary>
[GenerateSerializer, Alias("pixerve.SiloQueueReport"), Immutable]
public sealed record SiloQueueReport(
    [property: Id(0)] string Silo,
    [property: Id(1)] int Queued,
    [property: Id(2)] int Running,
    [property: Id(3)] TimeSpan ReportPeriod);
