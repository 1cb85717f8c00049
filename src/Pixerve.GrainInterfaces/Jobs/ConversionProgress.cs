namespace Pixerve.GrainInterfaces.Jobs;

/// <summary>
/// One thing a running conversion has made, told to its job as soon as it is made: the source's description, or one
/// output (its plan index and what it came out as). Small: no image bytes.
/// </summary>
/// <param name="Attempt">The job's attempt the run is (<see cref="ConversionRequest.Attempt"/>).</param>
/// <param name="RunId">The run's own id (<see cref="ConversionRequest.CorrelationId"/>): a report of any other run is ignored.</param>
[GenerateSerializer, Alias("pixerve.ConversionProgress"), Immutable]
public sealed record ConversionProgress([property: Id(0)] int Attempt, [property: Id(1)] string RunId)
{
    /// <summary>The source as described; null in an output's report.</summary>
    [Id(2)] public SourceInfo? Source { get; init; }

    /// <summary>The plan index of <see cref="Output"/>.</summary>
    [Id(3)] public int Index { get; init; } = -1;

    /// <summary>The output made, as the final record describes it; null in the source's report.</summary>
    [Id(4)] public OutputInfo? Output { get; init; }
}
