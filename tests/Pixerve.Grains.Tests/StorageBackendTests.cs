using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Amazon.Runtime;
using Amazon.S3;
using Pixerve.Testing;
using Pixerve.Testing.Fixtures;

namespace Pixerve.Grains.Tests;

/// <summary>Jobs that store on real servers: s3rver for S3, OpenSSH's sshd for SFTP, and the serve directory.</summary>
[Collection(PixerveCollection.Name)]
public sealed class StorageBackendTests(PixerveFixture fixture) : IAsyncLifetime
{
    private S3rverServer _s3 = null!;
    private SshdServer _sshd = null!;

    // The backend servers start when a test first needs them; these tests store to them.
    public async Task InitializeAsync()
    {
        // Asked for all at once, so they start side by side.
        var s3 = fixture.S3Async();
        var sshd = fixture.SshdAsync();
        _s3 = await s3;
        _sshd = await sshd;
    }

    public Task DisposeAsync() => Task.CompletedTask;

    private object S3Data(string prefix) => new
    {
        bucket = S3rverServer.Bucket,
        service_url = _s3.ServiceUrl,
        force_path_style = true,
        prefix,
        access_key_id = S3rverServer.AccessKeyId,
        secret_access_key = S3rverServer.SecretAccessKey,
    };

    private object SftpData(string root, string? fingerprint = null) => new
    {
        host = "127.0.0.1",
        port = _sshd.Port,
        username = _sshd.User,
        private_key = _sshd.PrivateKey,
        host_key_fingerprint = fingerprint ?? _sshd.HostKeyFingerprint,
        root,
    };

    private static object Job(string subDir, object storageKeys) => new
    {
        formats = new
        {
            jpg = new { settings = new { quality = 80 }, sizes = new[] { new[] { 64 } } },
            png = new { sizes = new[] { new[] { 32, 32 } } },
        },
        keepOriginal = true,
        directHost = true,
        subDir,
        storageKeys,
    };

    [Fact]
    public async Task S3_credential_passes_its_probe_and_a_job_stores_the_produced_bytes_there()
    {
        await PutCredentialAsync("s3-main", "s3", S3Data("pixerve"));
        await AssertProbeOkAsync("s3-main");

        var (status, expected) = await RunJobAsync("gray.jpg", Job("s3/case", new { s3 = "s3-main" }));
        Assert.Equal("completed", status.GetProperty("status").GetString());

        using var s3 = new AmazonS3Client(new BasicAWSCredentials(S3rverServer.AccessKeyId, S3rverServer.SecretAccessKey),
            new AmazonS3Config { ServiceURL = _s3.ServiceUrl, ForcePathStyle = true, AuthenticationRegion = "us-east-1" });
        foreach (var name in expected)
        {
            var key = $"pixerve/s3/case/{name}";
            var stored = File(status, name, "s3");
            Assert.Equal($"{_s3.ServiceUrl}/{S3rverServer.Bucket}/{key}", stored.GetProperty("location").GetString());
            using var response = await s3.GetObjectAsync(S3rverServer.Bucket, key);
            using var copy = new MemoryStream();
            await response.ResponseStream.CopyToAsync(copy);
            Assert.Equal(await ServedBytesAsync("s3/case", name), copy.ToArray());
            Assert.Equal(copy.Length, stored.GetProperty("bytes").GetInt64());
        }
    }

    [Fact]
    public async Task Sftp_with_a_private_key_and_pinned_host_key_stores_the_produced_bytes()
    {
        await PutCredentialAsync("sftp-main", "sftp", SftpData(Path.Combine(_sshd.Root, "main")));
        await AssertProbeOkAsync("sftp-main");

        var (status, expected) = await RunJobAsync("alpha.png", Job("sftp/case", new { sftp = "sftp-main" }));
        Assert.Equal("completed", status.GetProperty("status").GetString());
        foreach (var name in expected)
        {
            var path = Path.Combine(_sshd.Root, "main", "sftp", "case", name);
            Assert.Equal(await ServedBytesAsync("sftp/case", name), await System.IO.File.ReadAllBytesAsync(path));
            Assert.EndsWith(path, File(status, name, "sftp").GetProperty("location").GetString());
        }

        // Files are uploaded beside their target and renamed over it: nothing temporary is left.
        Assert.Empty(Directory.EnumerateFiles(Path.Combine(_sshd.Root, "main"), "*.tmp", SearchOption.AllDirectories));
    }

    [Fact]
    public async Task Sftp_refuses_a_server_whose_host_key_does_not_match_the_pin()
    {
        var wrong = "SHA256:" + Convert.ToBase64String(new byte[32]).TrimEnd('=');
        await PutCredentialAsync("sftp-wrong-pin", "sftp", SftpData(Path.Combine(_sshd.Root, "wrong"), wrong));

        using var probe = await fixture.Http.SendAsync(fixture.Admin(HttpMethod.Post, "/admin/credentials/sftp-wrong-pin/test"));
        var problem = await HttpAssert.AssertProblem(probe, HttpStatusCode.BadGateway);
        Assert.Contains("host key", problem.GetProperty("detail").GetString());

        // The job also names a working S3: it fails as a whole, and the record shows what did land where.
        await PutCredentialAsync("s3-beside-wrong-pin", "s3", S3Data("beside"));
        var (status, expected) = await RunJobAsync("vb.webp", Job("sftp/wrong", new { s3 = "s3-beside-wrong-pin", sftp = "sftp-wrong-pin" }));
        Assert.Equal("failed", status.GetProperty("status").GetString());
        Assert.Contains("sftp 'sftp-wrong-pin'", status.GetProperty("error").GetString());
        Assert.Contains("host key", status.GetProperty("error").GetString());
        Assert.DoesNotContain("s3 's3-beside-wrong-pin'", status.GetProperty("error").GetString());
        Assert.All(expected, name => File(status, name, "s3"));
        Assert.DoesNotContain(status.GetProperty("files").EnumerateArray(), f => f.GetProperty("backend").GetString() == "sftp");
        Assert.False(Directory.Exists(Path.Combine(_sshd.Root, "wrong")));
    }

    [Fact]
    public async Task Sftp_accepts_any_host_key_only_when_the_credential_says_so()
    {
        var data = new
        {
            host = "127.0.0.1",
            port = _sshd.Port,
            username = _sshd.User,
            private_key = _sshd.PrivateKey,
            accept_any_host_key = true,
        };
        await PutCredentialAsync("sftp-any-host", "sftp", data);
        await AssertProbeOkAsync("sftp-any-host");
    }

    [Fact]
    public async Task Sftp_login_refused_by_the_server_is_reported_as_such()
    {
        // This sshd takes keys only, so a password credential is refused: a clear error, not retried.
        await PutCredentialAsync("sftp-password", "sftp", new
        {
            host = "127.0.0.1",
            port = _sshd.Port,
            username = _sshd.User,
            password = "not-accepted-here",
            host_key_fingerprint = _sshd.HostKeyFingerprint,
        });
        using var probe = await fixture.Http.SendAsync(fixture.Admin(HttpMethod.Post, "/admin/credentials/sftp-password/test"));
        var problem = await HttpAssert.AssertProblem(probe, HttpStatusCode.BadGateway);
        Assert.Contains("refused the login", problem.GetProperty("detail").GetString());
    }

    [Fact]
    public async Task A_direct_credential_writes_to_its_own_directory()
    {
        var root = Directory.CreateTempSubdirectory("pixerve-direct-").FullName;
        try
        {
            await PutCredentialAsync("shared-disk", "direct", new { path = root, base_url = "https://cdn.example/media" });
            var job = new { formats = new { jpg = new { sizes = new[] { new[] { 40 } } } }, subDir = "d", storageKeys = new { direct = "shared-disk" } };
            var (status, expected) = await RunJobAsync("va.webp", job);
            Assert.Equal("completed", status.GetProperty("status").GetString());
            var name = Assert.Single(expected);
            Assert.Equal($"https://cdn.example/media/d/{name}", File(status, name, "direct").GetProperty("location").GetString());
            Assert.True(System.IO.File.Exists(Path.Combine(root, "d", name)));
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    [Fact]
    public async Task One_job_stores_every_output_on_s3_sftp_and_the_serve_directory()
    {
        await PutCredentialAsync("s3-all", "s3", S3Data("all"));
        await PutCredentialAsync("sftp-all", "sftp", SftpData(Path.Combine(_sshd.Root, "all")));

        var (status, expected) = await RunJobAsync("progressive.jpg", Job("every/where", new { s3 = "s3-all", sftp = "sftp-all" }));
        Assert.Equal("completed", status.GetProperty("status").GetString());
        Assert.Equal(expected.Count * 3, status.GetProperty("files").GetArrayLength());
        foreach (var name in expected)
        {
            Assert.StartsWith("/files/every/where/", File(status, name, "direct").GetProperty("location").GetString());
            Assert.Contains("/all/every/where/", File(status, name, "s3").GetProperty("location").GetString());
            Assert.Contains("/all/every/where/", File(status, name, "sftp").GetProperty("location").GetString());
        }
    }

    [Fact]
    public async Task Two_credentials_on_one_bucket_cannot_replace_each_others_files_the_fingerprint_stops_the_second()
    {
        // The name registry knows places by credential, so it cannot see that these two are one bucket and prefix;
        // the fingerprint kept in the object's metadata does.
        var prefix = $"twins-{Guid.NewGuid():N}";
        await PutCredentialAsync("s3-twin-a", "s3", S3Data(prefix));
        await PutCredentialAsync("s3-twin-b", "s3", S3Data(prefix));
        object Claim(string key, int quality) => new
        {
            formats = new { jpg = new { settings = new { quality }, sizes = new[] { new[] { 96 } } } },
            subDir = "same",
            storageKeys = new { s3 = key },
        };

        var (first, expected) = await RunJobAsync("va.jpg", Claim("s3-twin-a", 95));
        Assert.Equal("completed", first.GetProperty("status").GetString());
        var key = $"{prefix}/same/{Assert.Single(expected)}";
        using var s3 = new AmazonS3Client(new BasicAWSCredentials(S3rverServer.AccessKeyId, S3rverServer.SecretAccessKey),
            new AmazonS3Config { ServiceURL = _s3.ServiceUrl, ForcePathStyle = true, AuthenticationRegion = "us-east-1" });
        var stored = await ReadS3Async(s3, key);

        var (second, _) = await RunJobAsync("va.jpg", Claim("s3-twin-b", 5));
        Assert.Equal("failed", second.GetProperty("status").GetString());
        Assert.Contains($"storage s3 's3-twin-b' failed writing {expected[0]}: a file named {expected[0]} already exists with other content",
            second.GetProperty("error").GetString());
        Assert.Equal(stored, await ReadS3Async(s3, key));
        Assert.Equal(stored.Length, File(first, expected[0], "s3").GetProperty("bytes").GetInt64());
    }

    [Fact]
    public async Task A_backend_that_is_down_fails_the_job_naming_it_and_then_fails_fast_once_its_circuit_opens()
    {
        var closedPort = ServerProcess.FreePort();
        await PutCredentialAsync("s3-down", "s3", new
        {
            bucket = "nowhere",
            service_url = $"http://127.0.0.1:{closedPort}",
            force_path_style = true,
            access_key_id = "a",
            secret_access_key = "b",
        });

        string? error = null;
        var run = 0;
        await Poll.UntilAsync(async () =>
        {
            // Each run asks for other work (its own subDir): the same bytes under the same claim would be the same job.
            var (status, _) = await RunJobAsync("animated.gif", Job($"down/{run++}", new { s3 = "s3-down" }));
            Assert.Equal("failed", status.GetProperty("status").GetString());
            error = status.GetProperty("error").GetString();
            Assert.Contains("s3 's3-down'", error);
            Assert.True(error!.Contains("cannot reach") || error.Contains("circuit open"), error);
            // The endpoint is the admin's to read (in /health below), not the job token holder's.
            Assert.DoesNotContain($"127.0.0.1:{closedPort}", error);
            return error!.Contains("circuit open");
        }, TimeSpan.FromMinutes(2), "the s3-down circuit to open");
        Assert.Contains("unavailable", error);

        // /health shows the open circuit (reported one-way by the silo) and the working backends as closed.
        JsonElement backends = default;
        await Poll.UntilAsync(async () =>
        {
            using var health = await fixture.Http.SendAsync(fixture.Admin(HttpMethod.Get, "/health"));
            backends = (await health.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("backends");
            return backends.TryGetProperty("s3-down", out var down) && down.GetProperty("circuit").GetString() == "open";
        }, TimeSpan.FromSeconds(30), "/health to report the s3-down circuit open");
        Assert.Equal("s3", backends.GetProperty("s3-down").GetProperty("type").GetString());
        Assert.Contains("s3 's3-down'", backends.GetProperty("s3-down").GetProperty("last_error").GetString());
    }

    [Fact]
    public async Task Health_lists_a_configured_backend_with_a_closed_circuit()
    {
        await PutCredentialAsync("s3-health", "s3", S3Data("health"));
        await AssertProbeOkAsync("s3-health");
        using var health = await fixture.Http.SendAsync(fixture.Admin(HttpMethod.Get, "/health"));
        var backend = (await health.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("backends").GetProperty("s3-health");
        Assert.Equal("s3", backend.GetProperty("type").GetString());
        Assert.Equal("closed", backend.GetProperty("circuit").GetString());
    }

    private async Task PutCredentialAsync(string key, string type, object data)
    {
        using var response = await fixture.Http.SendAsync(fixture.Admin(HttpMethod.Post, "/admin/credentials", new { key, type, data }));
        await HttpAssert.AssertOk(response);
    }

    private async Task AssertProbeOkAsync(string key)
    {
        using var response = await fixture.Http.SendAsync(fixture.Admin(HttpMethod.Post, $"/admin/credentials/{key}/test"));
        await HttpAssert.AssertOk(response);
        Assert.True((await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("ok").GetBoolean());
    }

    private async Task<(JsonElement Status, List<string> Expected)> RunJobAsync(string image, object job)
    {
        var token = fixture.Token(job);
        using var response = await fixture.Http.SendAsync(fixture.Upload(RepositoryPaths.Image(image), token));
        await HttpAssert.AssertOk(response);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        var expected = body.GetProperty("expected_files").EnumerateArray().Select(e => e.GetString()!).ToList();
        return (await fixture.WaitUntilFinalAsync(body.GetProperty("hash").GetString()!, token), expected);
    }

    private async Task<byte[]> ServedBytesAsync(string subDir, string name)
    {
        using var response = await fixture.Http.GetAsync($"/files/{subDir}/{name}");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.Content.ReadAsByteArrayAsync();
    }

    private static async Task<byte[]> ReadS3Async(AmazonS3Client s3, string key)
    {
        using var response = await s3.GetObjectAsync(S3rverServer.Bucket, key);
        using var copy = new MemoryStream();
        await response.ResponseStream.CopyToAsync(copy);
        return copy.ToArray();
    }

    private static JsonElement File(JsonElement status, string name, string backend) =>
        status.GetProperty("files").EnumerateArray()
            .Single(f => f.GetProperty("name").GetString() == name && f.GetProperty("backend").GetString() == backend);
}
