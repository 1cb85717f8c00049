using Pixerve.Staging;
using Pixerve.Staging.S3;
using Pixerve.Testing.Fixtures;

namespace Pixerve.Gateway.Tests.StagingStores;

/// <summary>The staging contract on an S3 API (s3rver, its own bucket), under a key prefix as deployments use one.</summary>
[Collection(StagingStoreCollection.Name)]
public sealed class S3StagingStoreTests : StagingStoreContract
{
    private readonly List<S3StagingStore> _stores = [];
    private S3rverServer? _s3;

    protected override IStagingStore AnotherInstance()
    {
        var store = new S3StagingStore(new S3StagingSettings
        {
            Bucket = S3rverServer.Bucket,
            Prefix = "staging/",
            ServiceUrl = _s3!.ServiceUrl,
            ForcePathStyle = true,
            AccessKeyId = S3rverServer.AccessKeyId,
            SecretAccessKey = S3rverServer.SecretAccessKey,
        });
        _stores.Add(store);
        return store;
    }

    protected override async Task<IStagingStore> StartAsync()
    {
        _s3 = await S3rverServer.StartAsync();
        return AnotherInstance();
    }

    /// <summary>
    /// Parts longer than one S3 part are committed through a multipart upload (the contract's parts fit one PUT): the
    /// object is whole, in order, with its metadata and the new tag.
    /// </summary>
    [Fact]
    public async Task Parts_longer_than_an_S3_part_commit_whole_with_their_metadata()
    {
        var name = $"resumable/{Guid.NewGuid():N}";
        var whole = new byte[S3StagingStore.PartSize * 2 + 12345];
        new Random(9).NextBytes(whole);
        var tag = await Store.CreatePartedAsync(name, new Dictionary<string, string> { ["owner"] = "me" }, CancellationToken.None);
        var half = whole.Length / 2;
        await AnotherInstance().StagePartAsync(name, half, whole.AsMemory(half), CancellationToken.None);
        await Store.StagePartAsync(name, 0, whole.AsMemory(0, half), CancellationToken.None);

        var parted = (await Store.GetPartedAsync(name, CancellationToken.None))!;
        var committed = await Store.CommitPartsAsync(name, parted.Parts.OrderBy(p => p.Offset).ToList(),
            new Dictionary<string, string> { ["owner"] = "me", ["jobid"] = "job-9" }, tag, CancellationToken.None);

        Assert.NotNull(committed);
        var found = (await AnotherInstance().GetPartedAsync(name, CancellationToken.None))!;
        Assert.True(found.Committed);
        Assert.Empty(found.Parts);
        Assert.Equal(committed, found.Object.Tag);
        Assert.Equal("job-9", found.Object.Metadata["jobid"]);
        using var read = new MemoryStream();
        await AnotherInstance().ReadToAsync(name, read, CancellationToken.None);
        Assert.Equal(whole, read.ToArray());
    }

    protected override async Task StopAsync()
    {
        foreach (var store in _stores) store.Dispose();
        if (_s3 is not null) await _s3.DisposeAsync();
    }
}
