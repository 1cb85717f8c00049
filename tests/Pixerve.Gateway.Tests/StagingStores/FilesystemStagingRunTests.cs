using Pixerve.Staging;

namespace Pixerve.Gateway.Tests.StagingStores;

[Collection(FilesystemStagingCollection.Name)]
public sealed class FilesystemStagingRunTests(FilesystemStagingFixture fixture) : StagingProviderRuns(fixture)
{
    protected override string Provider => StagingSettings.Filesystem;

    /// <summary>Uploads are staged under the configured folder, not in the storage account.</summary>
    [Fact]
    public async Task The_staged_uploads_are_folders_under_the_root()
    {
        await using (var write = await fixture.GatewayService<IStagingStore>().StartWriteAsync("uploads/layout-check", CancellationToken.None))
            await write.CommitAsync(new byte[] { 1, 2, 3 }, new Dictionary<string, string> { ["jobid"] = "none" }, CancellationToken.None);
        Assert.Equal([1, 2, 3], await File.ReadAllBytesAsync(Path.Combine(fixture.Root, "objects", "uploads", "layout-check", "data")));
        Assert.True(await fixture.GatewayService<IStagingStore>().DeleteIfExistsAsync("uploads/layout-check", CancellationToken.None));
    }
}
