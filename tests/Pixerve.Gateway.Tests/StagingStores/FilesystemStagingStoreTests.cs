using Pixerve.Staging;
using Pixerve.Staging.Filesystem;

namespace Pixerve.Gateway.Tests.StagingStores;

/// <summary>The staging contract on a folder (a shared volume's stand-in: a temporary folder).</summary>
[Collection(StagingStoreCollection.Name)]
public sealed class FilesystemStagingStoreTests : StagingStoreContract
{
    private readonly string _root = Directory.CreateTempSubdirectory("pixerve-staging-").FullName;

    protected override IStagingStore AnotherInstance() => new FilesystemStagingStore(_root);

    protected override Task<IStagingStore> StartAsync() => Task.FromResult(AnotherInstance());

    protected override Task StopAsync()
    {
        Directory.Delete(_root, recursive: true);
        return Task.CompletedTask;
    }

    [Fact]
    public async Task Nothing_is_left_in_the_incoming_folder()
    {
        await using (var write = await AnotherInstance().StartWriteAsync("uploads/abandoned", CancellationToken.None))
            await write.AppendAsync(new byte[write.BlockSize], CancellationToken.None);
        await using (var write = await AnotherInstance().StartWriteAsync("uploads/kept", CancellationToken.None))
            await write.CommitAsync(new byte[10], new Dictionary<string, string>(), CancellationToken.None);
        Assert.Empty(Directory.EnumerateFileSystemEntries(Path.Combine(_root, "incoming")));
    }
}
