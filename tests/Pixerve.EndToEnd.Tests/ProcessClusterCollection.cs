
namespace Pixerve.EndToEnd.Tests;

/// <summary>
/// Tests that start real silo processes. They need the machine to themselves (a job must still be running when a
/// silo is killed or stopped), so xunit runs this collection alone, after the parallel ones.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ProcessClusterCollection
{
    public const string Name = "Process clusters";
}
