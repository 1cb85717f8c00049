using Microsoft.Extensions.Options;
using Pixerve.Storage.Filesystem;

namespace Pixerve.Storage.Tests;

public sealed class FilesystemStoreTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("pixerve-storage-tests-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Fact]
    public async Task A_direct_store_writes_under_its_root_and_answers_its_public_url()
    {
        await using var store = new LocalDirectoryStore(_root, "https://cdn.example/media/");

        var location = await store.PutAsync("d/x.jpg", new byte[] { 1, 2, 3 }, "image/jpeg", CancellationToken.None);

        Assert.Equal("https://cdn.example/media/d/x.jpg", location);
        Assert.Equal([1, 2, 3], await File.ReadAllBytesAsync(Path.Combine(_root, "d", "x.jpg")));
        // Written beside the target and renamed over it: nothing temporary is left.
        Assert.Empty(Directory.EnumerateFiles(_root, "*.tmp", SearchOption.AllDirectories));
    }

    [Fact]
    public async Task A_direct_store_without_a_base_url_answers_the_path_relative_to_its_root()
    {
        await using var store = new LocalDirectoryStore(_root, null);

        var location = await store.PutAsync("d/x.jpg", new byte[] { 1 }, "image/jpeg", CancellationToken.None);

        // The job's answers go to its token holder: the silo's absolute path is not theirs to read.
        Assert.Equal("d/x.jpg", location);
        Assert.True(File.Exists(Path.Combine(_root, "d", "x.jpg")));
    }

    [Fact]
    public void A_missing_directory_is_described_safely_without_its_path()
    {
        IObjectStore store = new LocalDirectoryStore(_root, null);
        var missing = new DirectoryNotFoundException($"Could not find a part of the path '{_root}/gone/x.jpg'.");

        Assert.Contains(_root, store.Describe(missing));
        Assert.Equal("its directory does not exist on the silo", store.DescribeSafely(missing));
        Assert.DoesNotContain(_root, store.DescribeSafely(new IOException($"Not a directory : '{_root}/x'")));
    }

    [Fact]
    public async Task A_path_outside_the_root_is_refused()
    {
        await using var store = new LocalDirectoryStore(_root, null);
        await Assert.ThrowsAsync<ArgumentException>(() => store.PutAsync("../escape.jpg", new byte[] { 1 }, "image/jpeg", CancellationToken.None));
        Assert.False(store.IsTransient(new ArgumentException("outside")));
    }

    [Fact]
    public async Task The_serve_directory_deletes_only_its_own_files()
    {
        var serve = new DirectHostStore(Options.Create(new DirectHostOptions { ServeDir = _root }));
        await using (var store = serve.Open())
            Assert.Equal("/files/s/a.png", await store.PutAsync("s/a.png", new byte[] { 9 }, "image/png", CancellationToken.None));

        serve.Delete("https://elsewhere.example/s/a.png");
        Assert.True(File.Exists(Path.Combine(_root, "s", "a.png")));
        serve.Delete("/files/s/a.png");
        Assert.False(File.Exists(Path.Combine(_root, "s", "a.png")));
    }
}
