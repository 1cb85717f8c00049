using System.Security.Cryptography;
using Pixerve.Gateway.Staging;
using Pixerve.Staging;

namespace Pixerve.Gateway.Tests.StagingStores;

/// <summary>
/// What every staging provider guarantees, run against each on a real server (Azurite, s3rver, a temporary folder):
/// the callers (gateway, sweep, converter, key ring) rely on exactly this and nothing provider-specific.
/// </summary>
public abstract class StagingStoreContract : IAsyncLifetime
{
    /// <summary>The store under test.</summary>
    protected IStagingStore Store { get; private set; } = null!;

    /// <summary>A store on the same backend, as another gateway or silo has.</summary>
    protected abstract IStagingStore AnotherInstance();

    protected abstract Task<IStagingStore> StartAsync();

    protected abstract Task StopAsync();

    public async Task InitializeAsync() => Store = await StartAsync();

    public Task DisposeAsync() => StopAsync();

    private static Dictionary<string, string> Meta(params (string Key, string Value)[] entries) => entries.ToDictionary(e => e.Key, e => e.Value);

    private static byte[] Bytes(int length, int seed)
    {
        var bytes = new byte[length];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }

    private async Task<byte[]> ReadAsync(IStagingStore store, string name)
    {
        using var buffer = new MemoryStream();
        await store.ReadToAsync(name, buffer, CancellationToken.None);
        return buffer.ToArray();
    }

    private async Task<List<StagedObject>> ListAsync(IStagingStore store)
    {
        var all = new List<StagedObject>();
        await foreach (var item in store.ListAsync(CancellationToken.None)) all.Add(item);
        return all;
    }

    [Fact]
    public async Task A_write_is_invisible_until_it_is_committed_with_its_metadata()
    {
        var name = $"uploads/{Guid.NewGuid():N}";
        var first = Bytes(0, 1);
        await using (var write = await Store.StartWriteAsync(name, CancellationToken.None))
        {
            first = Bytes(write.BlockSize, 1);
            await write.AppendAsync(first, CancellationToken.None);

            Assert.Null(await Store.GetAsync(name, CancellationToken.None));
            Assert.DoesNotContain(await ListAsync(Store), o => o.Name == name);
            await Assert.ThrowsAsync<StagedObjectNotFoundException>(() => ReadAsync(AnotherInstance(), name));

            await write.CommitAsync(Bytes(1000, 2), Meta(("jobid", "job-1")), CancellationToken.None);
        }

        var listed = Assert.Single(await ListAsync(AnotherInstance()), o => o.Name == name);
        Assert.Equal("job-1", listed.Metadata["jobid"]);
        Assert.Equal(first.Length + 1000, listed.Length);
        Assert.NotNull(listed.LastModified);
        var expected = first.Concat(Bytes(1000, 2)).ToArray();
        Assert.Equal(expected, await ReadAsync(AnotherInstance(), name));
    }

    [Fact]
    public async Task A_write_never_committed_leaves_nothing_behind()
    {
        var before = (await ListAsync(Store)).Select(o => o.Name).ToList();
        var name = $"uploads/{Guid.NewGuid():N}";
        await using (var write = await Store.StartWriteAsync(name, CancellationToken.None))
            await write.AppendAsync(Bytes(write.BlockSize, 3), CancellationToken.None);

        Assert.Equal(before.Order(), (await ListAsync(Store)).Select(o => o.Name).Order());
        Assert.Null(await Store.GetAsync(name, CancellationToken.None));
    }

    [Fact]
    public async Task A_small_write_is_read_back_whole_with_its_metadata()
    {
        var name = $"uploads/{Guid.NewGuid():N}";
        var bytes = Bytes(12345, 4);
        await using (var write = await Store.StartWriteAsync(name, CancellationToken.None))
            await write.CommitAsync(bytes, Meta(("jobid", "job-2"), ("expires", "123")), CancellationToken.None);

        var found = await AnotherInstance().GetAsync(name, CancellationToken.None);
        Assert.NotNull(found);
        Assert.Equal(12345, found.Length);
        Assert.Equal("job-2", found.Metadata["jobid"]);
        Assert.Equal("123", found.Metadata["expires"]);
        await using var stream = await AnotherInstance().OpenReadAsync(name, CancellationToken.None);
        using var copy = new MemoryStream();
        await stream.CopyToAsync(copy);
        Assert.Equal(bytes, copy.ToArray());
    }

    [Fact]
    public async Task A_metadata_update_is_refused_on_a_stale_tag()
    {
        var name = $"uploads/{Guid.NewGuid():N}";
        await using (var write = await Store.StartWriteAsync(name, CancellationToken.None))
            await write.CommitAsync(Bytes(100, 5), Meta(("jobid", "job-3")), CancellationToken.None);
        var read = (await Store.GetAsync(name, CancellationToken.None))!;

        var kept = await AnotherInstance().TrySetMetadataAsync(name, Meta(("jobid", "job-3"), ("kept", "1")), read.Tag, CancellationToken.None);
        Assert.NotNull(kept);
        Assert.NotEqual(read.Tag, kept);
        // The tag read before that update no longer holds: the update is refused and the other stays.
        Assert.Null(await Store.TrySetMetadataAsync(name, Meta(("jobid", "job-3")), read.Tag, CancellationToken.None));
        var now = (await Store.GetAsync(name, CancellationToken.None))!;
        Assert.Equal("1", now.Metadata["kept"]);
        Assert.Equal(kept, now.Tag);
        Assert.Equal(Bytes(100, 5), await ReadAsync(Store, name));
        // With the tag as it is now, it goes through; listed as set.
        Assert.NotNull(await Store.TrySetMetadataAsync(name, Meta(("jobid", "job-3")), now.Tag, CancellationToken.None));
        Assert.False(Assert.Single(await ListAsync(Store), o => o.Name == name).Metadata.ContainsKey("kept"));
        // A gone object refuses too.
        await Store.DeleteIfExistsAsync(name, CancellationToken.None);
        Assert.Null(await Store.TrySetMetadataAsync(name, Meta(("jobid", "job-3")), now.Tag, CancellationToken.None));
    }

    [Fact]
    public async Task Delete_removes_the_object_once()
    {
        var name = $"uploads/{Guid.NewGuid():N}";
        await using (var write = await Store.StartWriteAsync(name, CancellationToken.None))
            await write.CommitAsync(Bytes(10, 6), Meta(("jobid", "job-4")), CancellationToken.None);

        Assert.True(await AnotherInstance().DeleteIfExistsAsync(name, CancellationToken.None));
        Assert.False(await Store.DeleteIfExistsAsync(name, CancellationToken.None));
        await Assert.ThrowsAsync<StagedObjectNotFoundException>(() => ReadAsync(Store, name));
        Assert.Null(await Store.GetAsync(name, CancellationToken.None));
        Assert.DoesNotContain(await ListAsync(Store), o => o.Name == name);
    }

    /// <summary>A resumable upload's parts arrive at whichever gateway the client reaches: two store instances take turns.</summary>
    [Fact]
    public async Task Parts_written_by_two_instances_in_turn_make_one_object()
    {
        var name = $"resumable/{Guid.NewGuid():N}";
        var other = AnotherInstance();
        var tag = await Store.CreatePartedAsync(name, Meta(("length", "300000"), ("owner", "me")), CancellationToken.None);
        var created = await other.GetPartedAsync(name, CancellationToken.None);
        Assert.NotNull(created);
        Assert.False(created.Committed);
        Assert.Empty(created.Parts);
        Assert.Equal("me", created.Object.Metadata["owner"]);
        Assert.Contains(await ListAsync(Store), o => o.Name == name);

        var whole = Bytes(300000, 7);
        await Store.StagePartAsync(name, 0, whole.AsMemory(0, 100000), CancellationToken.None);
        await other.StagePartAsync(name, 100000, whole.AsMemory(100000, 100000), CancellationToken.None);
        // The same part again (a client that resent it) replaces itself.
        await Store.StagePartAsync(name, 100000, whole.AsMemory(100000, 100000), CancellationToken.None);
        await Store.StagePartAsync(name, 200000, whole.AsMemory(200000, 100000), CancellationToken.None);

        var parted = await other.GetPartedAsync(name, CancellationToken.None);
        Assert.NotNull(parted);
        Assert.Equal([new StagedPart(0, 100000), new StagedPart(100000, 100000), new StagedPart(200000, 100000)], parted.Parts.OrderBy(p => p.Offset));
        Assert.Equal(tag, parted.Object.Tag);

        var committed = await other.CommitPartsAsync(name, parted.Parts.OrderBy(p => p.Offset).ToList(), Meta(("length", "300000"), ("owner", "me")),
            parted.Object.Tag, CancellationToken.None);
        Assert.NotNull(committed);
        // A second commit with the tag read before the first is refused: one request commits.
        Assert.Null(await Store.CommitPartsAsync(name, parted.Parts.OrderBy(p => p.Offset).ToList(), Meta(("length", "300000")), parted.Object.Tag, CancellationToken.None));

        var done = await Store.GetPartedAsync(name, CancellationToken.None);
        Assert.NotNull(done);
        Assert.True(done.Committed);
        Assert.Equal(300000, done.Object.Length);
        Assert.Equal(whole, await ReadAsync(Store, name));
        Assert.True(await Store.DeleteIfExistsAsync(name, CancellationToken.None));
        Assert.Null(await other.GetPartedAsync(name, CancellationToken.None));
    }

    /// <summary>
    /// 20 MB through the gateway's hashing stage: what it allocates stays near two blocks (its own and the store's
    /// part), far below the upload, so an upload is never held whole in memory.
    /// </summary>
    [Fact]
    public async Task A_20_MB_upload_is_staged_with_bounded_memory()
    {
        const int size = 20 * 1024 * 1024;
        var staging = new StagingStore(Store);
        int block;
        await using (var probe = await Store.StartWriteAsync($"uploads/{Guid.NewGuid():N}", CancellationToken.None)) block = probe.BlockSize;

        using var source = new GeneratedStream(size, 8);
        GC.Collect();
        var before = GC.GetTotalAllocatedBytes(precise: true);
        var staged = await staging.StageAsync(ReadOnlyMemory<byte>.Empty, source, size, hash => "job-" + hash[..8], CancellationToken.None);
        var allocated = GC.GetTotalAllocatedBytes(precise: true) - before;

        Assert.Equal(size, staged.Length);
        Assert.True(allocated < 2L * block + 6 * 1024 * 1024, $"staging {size} bytes allocated {allocated} bytes (block {block})");
        using var sha = SHA256.Create();
        await using var read = await AnotherInstance().OpenReadAsync(staged.BlobName, CancellationToken.None);
        Assert.Equal(staged.Hash, Convert.ToHexStringLower(await sha.ComputeHashAsync(read)));
        Assert.Equal(source.Hash, staged.Hash);
    }

    [Fact]
    public async Task The_key_ring_folder_holds_what_any_instance_stored()
    {
        Store.KeyRing.Store("key-a", "<key id=\"a\" />");
        AnotherInstance().KeyRing.Store("key-b", "<key id=\"b\" />");
        Store.KeyRing.Store("key-a", "<key id=\"a2\" />");
        Assert.Equal(["<key id=\"a2\" />", "<key id=\"b\" />"], AnotherInstance().KeyRing.ReadAll().Order());
        // The key ring is not a staged upload: the sweep never sees it.
        Assert.DoesNotContain(await ListAsync(Store), o => o.Name.Contains("key-", StringComparison.Ordinal));
    }

    [Fact]
    public async Task The_probe_answers() => await Store.ProbeAsync(CancellationToken.None);

    /// <summary>Pseudo-random bytes made as they are read (none held), and their SHA-256 once read to the end.</summary>
    private sealed class GeneratedStream(long length, int seed) : Stream
    {
        private readonly Random _random = new(seed);
        private readonly IncrementalHash _sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        private long _position;

        public string Hash => Convert.ToHexStringLower(_sha.GetCurrentHash());

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> buffer)
        {
            var n = (int)Math.Min(Math.Min(buffer.Length, 64 * 1024), length - _position);
            _random.NextBytes(buffer[..n]);
            _sha.AppendData(buffer[..n]);
            _position += n;
            return n;
        }

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) => new(Read(buffer.Span));

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => length;
        public override long Position { get => _position; set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            if (disposing) _sha.Dispose();
            base.Dispose(disposing);
        }
    }
}
