using System.Diagnostics;

namespace Pixerve.Testing.Fixtures;

/// <summary>A real S3 API (npm <c>s3rver</c> under <c>tests/servers</c>) on a free loopback port, one bucket, for one test run.</summary>
public sealed class S3rverServer : IAsyncDisposable
{
    public const string Bucket = "pixerve-test";
    /// <summary>s3rver's fixed development credentials.</summary>
    public const string AccessKeyId = "S3RVER";
    public const string SecretAccessKey = "S3RVER";

    private readonly ServerProcess _process;
    private readonly string _directory;

    private S3rverServer(ServerProcess process, string directory, int port)
    {
        _process = process;
        _directory = directory;
        ServiceUrl = $"http://127.0.0.1:{port}";
    }

    public string ServiceUrl { get; }
    public int ProcessId => _process.Id;

    /// <summary>The settings that stage a cluster's uploads in its bucket (<c>Pixerve:Staging:Provider = s3</c>), under <paramref name="prefix"/>.</summary>
    public IReadOnlyDictionary<string, string> StagingSettings(string prefix = "") => new Dictionary<string, string>
    {
        ["Pixerve:Staging:Provider"] = "s3",
        ["Pixerve:Staging:S3:Bucket"] = Bucket,
        ["Pixerve:Staging:S3:Prefix"] = prefix,
        ["Pixerve:Staging:S3:ServiceUrl"] = ServiceUrl,
        ["Pixerve:Staging:S3:ForcePathStyle"] = "true",
        ["Pixerve:Staging:S3:AccessKeyId"] = AccessKeyId,
        ["Pixerve:Staging:S3:SecretAccessKey"] = SecretAccessKey,
    };

    public static async Task<S3rverServer> StartAsync()
    {
        var executable = Path.Combine(RepositoryPaths.Root, "tests", "servers", "node_modules", ".bin", "s3rver");
        if (!File.Exists(executable))
            throw new InvalidOperationException($"{executable} is missing: run 'npm ci --prefix tests/servers' (./test.sh does)");

        var directory = Directory.CreateTempSubdirectory("pixerve-s3rver-").FullName;
        var port = ServerProcess.FreePort();
        var start = new ProcessStartInfo(executable)
        {
            ArgumentList = { "--directory", directory, "--address", "127.0.0.1", "--port", port.ToString(), "--silent", "--no-vhost-buckets", "--configure-bucket", Bucket },
            WorkingDirectory = directory,
        };
        return new S3rverServer(await ServerProcess.StartAsync("s3rver", start, port), directory, port);
    }

    public async ValueTask DisposeAsync()
    {
        await _process.DisposeAsync();
        Directory.Delete(_directory, recursive: true);
    }
}
