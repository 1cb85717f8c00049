namespace Pixerve.Gateway.Tests.StagingStores;

// Alone while it runs: the streamed-write test counts the process's allocations, which other tests would add to.
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class StagingStoreCollection
{
    public const string Name = "Staging stores";
}

[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class FilesystemStagingCollection : ICollectionFixture<FilesystemStagingFixture>
{
    public const string Name = "Pixerve cluster, filesystem staging";
}
