namespace Pixerve.GrainInterfaces.Jobs;

/// <param name="Plan">The job's outputs, as planned when it was submitted.</param>
[GenerateSerializer, Alias("pixerve.ConversionRequest"), Immutable]
public sealed record ConversionRequest(
    [property: Id(0)] string Hash,
    [property: Id(1)] JobSubmission Submission,
    [property: Id(2)] IReadOnlyList<PlannedOutput> Plan)
{
    /// <summary>This run's id in the silo logs: every line about a failure of the run carries it, and so does the job's error.</summary>
    [Id(3)] public required string CorrelationId { get; init; }

    /// <summary>The job the run is of: its converter reports its progress there (<see cref="IJobGrain.Progress"/>).</summary>
    [Id(4)] public string JobId { get; init; } = "";

    /// <summary>The job's attempt this run is (<c>attempts</c> once it started); its progress reports name it.</summary>
    [Id(5)] public int Attempt { get; init; }
}
