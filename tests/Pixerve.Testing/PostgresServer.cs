using System.Diagnostics;
using System.Security.Cryptography;
using Npgsql;

namespace Pixerve.Testing;

/// <summary>
/// A real PostgreSQL (Debian's binaries, <c>/usr/lib/postgresql/*/bin</c>) for one test run: a cluster initialised in a
/// temporary folder, listening on a free loopback port with its socket in that folder, password login for the
/// <see cref="User"/> superuser, stopped and its folder removed at the end. PostgreSQL refuses to run as root: when the
/// tests are root, its files belong to, and its programs run as, the <c>postgres</c> user.
/// </summary>
public sealed class PostgresServer : IAsyncDisposable
{
    public const string User = "pixerve";

    private readonly string _folder;
    private readonly string _bin;
    private ServerProcess? _process;

    private PostgresServer(string folder, string bin, int port, string password)
    {
        _folder = folder;
        _bin = bin;
        Port = port;
        Password = password;
    }

    public int Port { get; }

    /// <summary>The postmaster's process id (each connection's backend is a child of it); 0 while stopped.</summary>
    public int ProcessId => _process?.Id ?? 0;

    /// <summary>The superuser's password: random per server, so a test can look for it in what a process printed.</summary>
    public string Password { get; }

    private string DataFolder => Path.Combine(_folder, "data");
    private string SocketFolder => Path.Combine(_folder, "socket");

    /// <summary>A connection string for <paramref name="database"/> (created by <see cref="CreateDatabaseAsync"/>).</summary>
    public string ConnectionString(string database = "postgres") =>
        new NpgsqlConnectionStringBuilder
        {
            Host = "127.0.0.1", Port = Port, Database = database, Username = User, Password = Password,
            // Silos are killed in the tests; pooled connections of the dead must not pile up.
            MaxPoolSize = 20,
        }.ConnectionString;

    public static async Task<PostgresServer> StartAsync()
    {
        var bin = Directory.GetDirectories("/usr/lib/postgresql")
                      .Select(d => Path.Combine(d, "bin"))
                      .Where(d => File.Exists(Path.Combine(d, "postgres")))
                      .OrderByDescending(d => int.TryParse(Path.GetFileName(Path.GetDirectoryName(d)), out var v) ? v : 0)
                      .FirstOrDefault()
                  ?? throw new InvalidOperationException("PostgreSQL is not installed: apt-get install postgresql (Debian's binaries in /usr/lib/postgresql/*/bin)");
        var folder = Directory.CreateTempSubdirectory("pixerve-postgres-").FullName;
        try
        {
            var password = Convert.ToHexString(RandomNumberGenerator.GetBytes(16)).ToLowerInvariant();
            Directory.CreateDirectory(Path.Combine(folder, "socket"));
            var passwordFile = Path.Combine(folder, "password");
            await File.WriteAllTextAsync(passwordFile, password);
            if (Environment.IsPrivilegedProcess) await RunAsync("chown", "-R", "postgres:postgres", folder);
            await RunAsync(AsPostgres(Path.Combine(bin, "initdb"), "-D", Path.Combine(folder, "data"), "-U", User, "--pwfile", passwordFile,
                "--auth=scram-sha-256", "-E", "UTF8", "--no-sync"));
            File.Delete(passwordFile);
            return await ServerProcess.StartOnFreePortsAsync(1, async ports =>
            {
                var server = new PostgresServer(folder, bin, ports[0], password);
                await server.StartProcessAsync();
                return server;
            });
        }
        catch
        {
            Directory.Delete(folder, recursive: true);
            throw;
        }
    }

    private async Task StartProcessAsync()
    {
        var start = AsPostgres(Path.Combine(_bin, "postgres"), "-D", DataFolder, "-p", Port.ToString(), "-k", SocketFolder,
            // No fsync: a test's data need not survive the machine, only the server (an immediate shutdown, as a crash,
            // keeps the OS's pages). Commits stay synchronous: an asynchronous commit lost to such a crash would be a
            // job acknowledged and gone, the very thing the outage tests look for.
            "-c", "listen_addresses=127.0.0.1", "-c", "fsync=off", "-c", "full_page_writes=off",
            "-c", "max_connections=300", "-c", "log_min_messages=warning");
        _process = await ServerProcess.StartAsync("PostgreSQL", start, Port);
        // Listening comes a moment before accepting logins (the startup process may still be recovering).
        await Poll.UntilAsync(async () =>
        {
            try
            {
                await using var connection = new NpgsqlConnection(ConnectionString());
                await connection.OpenAsync();
                return true;
            }
            catch (NpgsqlException)
            {
                return false;
            }
        }, TimeSpan.FromSeconds(30), "PostgreSQL to accept logins");
    }

    /// <summary>A new, empty database (no Pixerve schema); its connection string.</summary>
    public async Task<string> CreateDatabaseAsync(string? name = null)
    {
        name ??= $"pixerve_{Guid.NewGuid():N}";
        await using var connection = new NpgsqlConnection(ConnectionString());
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand($"CREATE DATABASE \"{name}\"", connection);
        await command.ExecuteNonQueryAsync();
        return ConnectionString(name);
    }

    /// <summary>Runs one query on <paramref name="connectionString"/>'s database and reads the first column of every row.</summary>
    public static async Task<List<T>> QueryAsync<T>(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await using var reader = await command.ExecuteReaderAsync();
        var rows = new List<T>();
        while (await reader.ReadAsync()) rows.Add(reader.GetFieldValue<T>(0));
        return rows;
    }

    /// <summary>An outage: the server stops at once (immediate shutdown, as a crash), its port refusing connections.</summary>
    public async Task StopAsync()
    {
        await RunAsync(AsPostgres(Path.Combine(_bin, "pg_ctl"), "-D", DataFolder, "stop", "-m", "immediate", "-w"));
        if (_process is not null)
        {
            await _process.DisposeAsync();
            _process = null;
        }
    }

    /// <summary>Starts the server again on its port and data after <see cref="StopAsync"/>.</summary>
    public Task RestartAsync() => _process is null ? StartProcessAsync() : throw new InvalidOperationException("PostgreSQL is running");

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (_process is not null) await StopAsync();
        }
        catch (InvalidOperationException)
        {
            // Already gone: killing the process below is all that is left to do.
        }
        finally
        {
            if (_process is not null) await _process.DisposeAsync();
            Directory.Delete(_folder, recursive: true);
        }
    }

    /// <summary><paramref name="program"/> as the <c>postgres</c> user when this process is root; as this user otherwise.</summary>
    private static ProcessStartInfo AsPostgres(string program, params string[] arguments)
    {
        var start = Environment.IsPrivilegedProcess
            ? new ProcessStartInfo("runuser", ["-u", "postgres", "--", program, .. arguments])
            : new ProcessStartInfo(program, arguments);
        // The postgres user may not enter the tests' working directory.
        start.WorkingDirectory = "/";
        return start;
    }

    private static Task RunAsync(string program, params string[] arguments) => RunAsync(new ProcessStartInfo(program, arguments));

    private static async Task RunAsync(ProcessStartInfo start)
    {
        start.RedirectStandardOutput = true;
        start.RedirectStandardError = true;
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"{start.FileName} did not start");
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
            throw new InvalidOperationException($"{start.FileName} {string.Join(' ', start.ArgumentList)} exited with {process.ExitCode}: {await output}{await error}");
    }
}
