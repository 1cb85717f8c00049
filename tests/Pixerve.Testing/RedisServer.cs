using System.Diagnostics;

namespace Pixerve.Testing;

/// <summary>
/// A real redis-server (Debian's <c>/usr/bin/redis-server</c>) on a free loopback port, in a temporary folder removed
/// at the end: without persistence (<c>--save ''</c>, no AOF) unless the test asks for the append-only file, which lets
/// it stop Redis and start it again on its data.
/// </summary>
public sealed class RedisServer : IAsyncDisposable
{
    private const string Executable = "/usr/bin/redis-server";
    private readonly string _folder;
    private readonly bool _appendOnly;
    private ServerProcess _process;

    private RedisServer(ServerProcess process, int port, string folder, string? password, bool appendOnly)
    {
        _process = process;
        Port = port;
        _folder = folder;
        Password = password;
        _appendOnly = appendOnly;
    }

    public int Port { get; }
    public int ProcessId => _process.Id;
    public string? Password { get; }

    /// <summary>A StackExchange.Redis configuration string for it (<c>Pixerve:Cluster:Redis:ConnectionString</c>).</summary>
    public string ConnectionString => $"127.0.0.1:{Port}" + (Password is null ? "" : $",password={Password}");

    /// <summary>The settings that put a cluster on it (<see cref="ProcessCluster.StartAsync"/>'s <c>provider</c>).</summary>
    public IReadOnlyDictionary<string, string> ClusterSettings => new Dictionary<string, string>
    {
        ["Pixerve:Cluster:Provider"] = "redis",
        ["Pixerve:Cluster:Redis:ConnectionString"] = ConnectionString,
    };

    /// <param name="password">Set as <c>requirepass</c>: clients must authenticate.</param>
    /// <param name="appendOnly">Every write in the append-only file, fsynced at once, so a restart loses nothing.</param>
    public static async Task<RedisServer> StartAsync(string? password = null, bool appendOnly = false)
    {
        if (!File.Exists(Executable)) throw new InvalidOperationException($"{Executable} is missing: apt-get install redis-server (scripts/install-test-deps.sh does)");
        var folder = Directory.CreateTempSubdirectory("pixerve-redis-").FullName;
        try
        {
            return await ServerProcess.StartOnFreePortsAsync(1, async ports =>
                new RedisServer(await StartProcessAsync(ports[0], folder, password, appendOnly), ports[0], folder, password, appendOnly));
        }
        catch
        {
            Directory.Delete(folder, recursive: true);
            throw;
        }
    }

    private static Task<ServerProcess> StartProcessAsync(int port, string folder, string? password, bool appendOnly)
    {
        var start = new ProcessStartInfo(Executable)
        {
            ArgumentList =
            {
                "--bind", "127.0.0.1", "--port", port.ToString(), "--dir", folder,
                "--save", "", "--appendonly", appendOnly ? "yes" : "no", "--appendfsync", "always",
                "--daemonize", "no", "--logfile", "", "--loglevel", "warning",
            },
            WorkingDirectory = folder,
        };
        if (password is not null)
        {
            start.ArgumentList.Add("--requirepass");
            start.ArgumentList.Add(password);
        }

        return ServerProcess.StartAsync("redis-server", start, port);
    }

    /// <summary>SIGSTOP: Redis hangs (connections are accepted, nothing answers) until <see cref="Resume"/>.</summary>
    public void Pause() => _process.Pause();

    public void Resume() => _process.Resume();

    /// <summary>SIGKILL: Redis is gone at once, as when its machine dies; with the append-only file it loses nothing.</summary>
    public async Task KillAsync()
    {
        _process.Kill();
        await _process.WaitForExitAsync(CancellationToken.None);
    }

    /// <summary>Starts Redis again on its port and folder after <see cref="KillAsync"/>: with its data only if append-only.</summary>
    public async Task RestartAsync()
    {
        await _process.DisposeAsync();
        _process = await StartProcessAsync(Port, _folder, Password, _appendOnly);
    }

    public async ValueTask DisposeAsync()
    {
        await _process.DisposeAsync();
        Directory.Delete(_folder, recursive: true);
    }
}
