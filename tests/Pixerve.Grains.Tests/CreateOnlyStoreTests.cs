using System.Net;
using System.Security.Cryptography;
using System.Text.Json;
using Amazon.Runtime;
using Amazon.S3;
using Amazon.S3.Model;
using Pixerve.Storage;
using Pixerve.Storage.Gcs;
using Pixerve.Storage.S3;
using Pixerve.Storage.Sftp;
using Pixerve.Testing.Fixtures;

namespace Pixerve.Grains.Tests;

/// <summary>
/// Each backend's store against its real server (s3rver, sshd, the GCS fake): a file once written is never replaced.
/// Another write of the name keeps the stored bytes; it succeeds with the existing size unless the backend keeps the
/// fingerprint and it names other work, when it fails as a conflict.
/// </summary>
[Collection(PixerveCollection.Name)]
public sealed class CreateOnlyStoreTests(PixerveFixture fixture) : IAsyncLifetime
{
    private S3rverServer _s3 = null!;
    private SshdServer _sshd = null!;
    private FakeGcsServer _gcs = null!;

    // The backend servers start when a test first needs them; these tests store to them.
    public async Task InitializeAsync()
    {
        // Asked for all at once, so they start side by side.
        var s3 = fixture.S3Async();
        var sshd = fixture.SshdAsync();
        var gcs = fixture.GcsAsync();
        _s3 = await s3;
        _sshd = await sshd;
        _gcs = await gcs;
    }

    public Task DisposeAsync() => Task.CompletedTask;

    private static readonly byte[] First = [1, 2, 3, 4, 5, 6, 7];
    private static readonly byte[] Other = [9, 9, 9];

    public static TheoryData<string> Backends() => ["s3", "sftp", "gcs"];

    [Theory]
    [MemberData(nameof(Backends))]
    public async Task A_stored_file_keeps_its_bytes_when_its_name_is_written_again(string backend)
    {
        var place = $"create-only/{Guid.NewGuid():N}";
        await using var store = Open(backend, place);
        var path = "sub/x.jpg";

        var created = await store.PutAsync(path, First, "image/jpeg", "work-a", CancellationToken.None);
        Assert.Equal((7L, false), (created.Bytes, created.Existed));
        Assert.Equal(First, await ReadBackAsync(backend, place, path));

        // Other bytes for other work: kept as they are. Where the fingerprint is kept (S3, GCS) the write fails as a
        // conflict; where it is not (SFTP) the registry's word is taken and the existing file answered.
        if (backend == "sftp")
        {
            var kept = await store.PutAsync(path, Other, "image/jpeg", "work-b", CancellationToken.None);
            Assert.Equal((created.Location, 7L, true), (kept.Location, kept.Bytes, kept.Existed));
        }
        else
        {
            var conflict = await Assert.ThrowsAsync<ObjectConflictException>(() => store.PutAsync(path, Other, "image/jpeg", "work-b", CancellationToken.None));
            Assert.Equal("a file named x.jpg already exists with other content; stored files are never replaced", conflict.Message);
            Assert.False(store.IsTransient(conflict));
        }

        Assert.Equal(First, await ReadBackAsync(backend, place, path));

        // The same work again (a rerun after a crash; other bytes, as an encoder may give): kept, and a success.
        var again = await store.PutAsync(path, Other, "image/jpeg", "work-a", CancellationToken.None);
        Assert.Equal((created.Location, 7L, true), (again.Location, again.Bytes, again.Existed));
        // A file written before fingerprints were kept is taken on the registry's word too.
        await store.PutAsync("sub/old.jpg", First, "image/jpeg", null, CancellationToken.None);
        Assert.True((await store.PutAsync("sub/old.jpg", Other, "image/jpeg", "work-c", CancellationToken.None)).Existed);
        Assert.Equal(First, await ReadBackAsync(backend, place, "sub/old.jpg"));
        Assert.Equal(First, await ReadBackAsync(backend, place, path));
    }

    [Fact]
    public async Task S3_keeps_the_fingerprint_beside_the_object()
    {
        var place = $"create-only/{Guid.NewGuid():N}";
        await using (var store = Open("s3", place))
            await store.PutAsync("m.png", First, "image/png", "work-a", CancellationToken.None);

        using var s3 = S3Client();
        var head = await s3.GetObjectMetadataAsync(S3rverServer.Bucket, $"{place}/m.png");
        Assert.Equal("work-a", head.Metadata["x-amz-meta-pixerve-fingerprint"]);
        Assert.Equal("image/png", head.Headers.ContentType);
    }

    /// <summary>
    /// Why the S3 store looks before it writes: s3rver stores a PUT carrying <c>If-None-Match: *</c> over an existing
    /// object (Amazon S3 answers 412). Should s3rver start honouring it, this fails, and the conditional PUT alone is tested.
    /// </summary>
    [Fact]
    public async Task S3rver_replaces_an_object_despite_If_None_Match()
    {
        using var s3 = S3Client();
        var key = $"create-only/{Guid.NewGuid():N}/premise.bin";
        await s3.PutObjectAsync(new PutObjectRequest { BucketName = S3rverServer.Bucket, Key = key, InputStream = new MemoryStream(First), UseChunkEncoding = false });
        await s3.PutObjectAsync(new PutObjectRequest
        {
            BucketName = S3rverServer.Bucket, Key = key, InputStream = new MemoryStream(Other), UseChunkEncoding = false, IfNoneMatch = "*",
        });
        Assert.Equal(Other, await ReadS3Async(s3, key));
    }

    private IObjectStore Open(string backend, string place) => backend switch
    {
        "s3" => new S3ObjectStore(new S3StorageSettings
        {
            Bucket = S3rverServer.Bucket,
            ServiceUrl = _s3.ServiceUrl,
            ForcePathStyle = true,
            Prefix = place,
            AccessKeyId = S3rverServer.AccessKeyId,
            SecretAccessKey = S3rverServer.SecretAccessKey,
        }, new S3StorageOptions()),
        "sftp" => new SftpObjectStore(new SftpStorageSettings
        {
            Host = "127.0.0.1",
            Port = _sshd.Port,
            Username = _sshd.User,
            PrivateKey = _sshd.PrivateKey,
            HostKeyFingerprint = _sshd.HostKeyFingerprint,
            Root = Path.Combine(_sshd.Root, place),
        }, new SftpStorageOptions()),
        "gcs" => new GcsObjectStore(new GcsStorageSettings
        {
            Bucket = "pixerve-gcs",
            Prefix = place,
            BaseUri = _gcs.BaseUri,
            ServiceAccountJson = ServiceAccountJson(),
        }, new GcsStorageOptions()),
        _ => throw new ArgumentOutOfRangeException(nameof(backend)),
    };

    private async Task<byte[]> ReadBackAsync(string backend, string place, string path)
    {
        switch (backend)
        {
            case "s3":
                using (var s3 = S3Client()) return await ReadS3Async(s3, $"{place}/{path}");
            case "sftp":
                return await File.ReadAllBytesAsync(Path.Combine(_sshd.Root, place, path));
            default:
                return _gcs.Objects[$"pixerve-gcs/{place}/{path}"];
        }
    }

    private AmazonS3Client S3Client() => new(new BasicAWSCredentials(S3rverServer.AccessKeyId, S3rverServer.SecretAccessKey),
        new AmazonS3Config { ServiceURL = _s3.ServiceUrl, ForcePathStyle = true, AuthenticationRegion = "us-east-1" });

    private static async Task<byte[]> ReadS3Async(AmazonS3Client s3, string key)
    {
        using var response = await s3.GetObjectAsync(S3rverServer.Bucket, key);
        Assert.Equal(HttpStatusCode.OK, response.HttpStatusCode);
        using var copy = new MemoryStream();
        await response.ResponseStream.CopyToAsync(copy);
        return copy.ToArray();
    }

    private string ServiceAccountJson()
    {
        using var rsa = RSA.Create(2048);
        return JsonSerializer.Serialize(new Dictionary<string, string>
        {
            ["type"] = "service_account",
            ["project_id"] = "pixerve-test",
            ["private_key_id"] = "test-key",
            ["private_key"] = rsa.ExportPkcs8PrivateKeyPem(),
            ["client_email"] = "pixerve@pixerve-test.iam.gserviceaccount.com",
            ["client_id"] = "1",
            ["token_uri"] = _gcs.BaseUri + "token",
        });
    }
}
