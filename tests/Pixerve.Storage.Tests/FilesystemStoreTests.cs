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

        var location = await store.PutAsync("d/x.jpg", new byte[] { 1, 2, 3 }, "image/jpeg", "f1", CancellationToken.None);

        Assert.Equal(new StoredObject("https://cdn.example/media/d/x.jpg", 3, Existed: false), location);
        Assert.Equal([1, 2, 3], await File.ReadAllBytesAsync(Path.Combine(_root, "d", "x.jpg")));
        // Written beside the target and moved there: nothing temporary is left.
        Assert.Empty(Directory.EnumerateFiles(_root, "*.tmp", SearchOption.AllDirectories));
    }

    [Theory]
    [InlineData("direct")]
    [InlineData("directHost")]
    public async Task A_file_that_exists_is_never_replaced_and_the_write_answers_its_size(string kind)
    {
        await using var store = kind == "direct"
            ? new LocalDirectoryStore(_root, null)
            : new DirectHostStore(Options.Create(new DirectHostOptions { ServeDir = _root })).Open();
        var path = Path.Combine(_root, "same", "x.jpg");

        var first = await store.PutAsync("same/x.jpg", new byte[] { 1, 2, 3, 4 }, "image/jpeg", "work-a", CancellationToken.None);
        Assert.False(first.Existed);

        // Other bytes under the name: the file keeps its own, and the answer is its size.
        var other = await store.PutAsync("same/x.jpg", new byte[] { 9, 9 }, "image/jpeg", "work-b", CancellationToken.None);
        Assert.Equal((first.Location, 4L, true), (other.Location, other.Bytes, other.Existed));
        Assert.Equal([1, 2, 3, 4], await File.ReadAllBytesAsync(path));

        // The same again (a rerun) succeeds the same way.
        var again = await store.PutAsync("same/x.jpg", new byte[] { 1, 2, 3, 4 }, "image/jpeg", "work-a", CancellationToken.None);
        Assert.Equal((4L, true), (again.Bytes, again.Existed));
        Assert.Equal([1, 2, 3, 4], await File.ReadAllBytesAsync(path));
        Assert.Empty(Directory.EnumerateFiles(_root, "*.tmp", SearchOption.AllDirectories));
    }

    [Fact]
    public async Task Writers_racing_for_one_name_leave_exactly_one_of_their_files_whole()
    {
        await using var store = new LocalDirectoryStore(_root, null);
        // Files large enough that writers are still writing their temporary files when the first one names its own:
        // each of them then creates a name that another has just created.
        var contents = Enumerable.Range(1, 16).Select(i => Enumerable.Repeat((byte)i, 2 * 1024 * 1024).ToArray()).ToList();

        for (var round = 0; round < 10; round++)
        {
            var name = $"race/{round}.png";
            // A thread per writer, released together: the pool would start them a few at a time.
            using var start = new Barrier(contents.Count);
            var results = new StoredObject[contents.Count];
            var writers = contents.Select((bytes, i) => new Thread(() =>
            {
                start.SignalAndWait();
                results[i] = store.PutAsync(name, bytes, "image/png", null, CancellationToken.None).GetAwaiter().GetResult();
            })).ToList();
            writers.ForEach(w => w.Start());
            writers.ForEach(w => w.Join());

            Assert.Single(results, r => !r.Existed);
            var stored = await File.ReadAllBytesAsync(Path.Combine(_root, "race", $"{round}.png"));
            Assert.Contains(contents, c => c.AsSpan().SequenceEqual(stored));
        }
        Assert.Empty(Directory.EnumerateFiles(_root, "*.tmp", SearchOption.AllDirectories));
    }

    [Fact]
    public async Task A_direct_store_without_a_base_url_answers_the_path_relative_to_its_root()
    {
        await using var store = new LocalDirectoryStore(_root, null);

        var stored = await store.PutAsync("d/x.jpg", new byte[] { 1 }, "image/jpeg", fingerprint: null, CancellationToken.None);

        // The job's answers go to its token holder: the silo's absolute path is not theirs to read.
        Assert.Equal("d/x.jpg", stored.Location);
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
        await Assert.ThrowsAsync<ArgumentException>(() => store.PutAsync("../escape.jpg", new byte[] { 1 }, "image/jpeg", null, CancellationToken.None));
        Assert.False(store.IsTransient(new ArgumentException("outside")));
    }

    [Fact]
    public async Task The_serve_directory_deletes_only_its_own_files()
    {
        var serve = new DirectHostStore(Options.Create(new DirectHostOptions { ServeDir = _root }));
        await using (var store = serve.Open())
            Assert.Equal("/files/s/a.png", (await store.PutAsync("s/a.png", new byte[] { 9 }, "image/png", null, CancellationToken.None)).Location);

        serve.Delete("https://elsewhere.example/s/a.png");
        Assert.True(File.Exists(Path.Combine(_root, "s", "a.png")));
        serve.Delete("/files/s/a.png");
        Assert.False(File.Exists(Path.Combine(_root, "s", "a.png")));
    }
}
