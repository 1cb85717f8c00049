using Pixerve.Testing.Fixtures;


namespace Pixerve.EndToEnd.Tests;

// A cluster of its own on 2 cores: not run beside the other clusters, so jobs caught mid-run are not starved.
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class PixerveCollection : ICollectionFixture<PixerveFixture>
{
    public const string Name = "Pixerve cluster";
}
