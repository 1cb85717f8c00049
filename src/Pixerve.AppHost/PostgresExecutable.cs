using System.Diagnostics;
using System.Net.Sockets;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Pixerve.AppHost;

/// <summary>
/// PostgreSQL from the machine's own server binaries (Debian's <c>postgresql</c> package) as an executable resource:
/// its data in <c>{DataDir}/postgres</c>, created on the first run with the database <c>pixerve</c> and a generated
/// password of user <c>pixerve</c> (kept beside it, mode 600), on a port DCP picks, loopback only.
/// PostgreSQL refuses to run as root, so as root it runs as the <c>postgres</c> user the package creates.
/// </summary>
public static class PostgresExecutable
{
    public const string Database = "pixerve";
    private const string User = "pixerve";

    public static PostgresResource AddPostgres(this IDistributedApplicationBuilder builder, AppHostOptions settings)
    {
        var bin = ServerBinaries();
        var data = Path.Combine(settings.DataDir, "postgres");
        var asRoot = Environment.IsPrivilegedProcess;
        var password = Password(Path.Combine(settings.DataDir, "postgres-password.txt"));
        if (!File.Exists(Path.Combine(data, "PG_VERSION"))) Create(bin, data, asRoot, password);

        // setpriv executes postgres in its own place (no process in between), so DCP's signals reach the server.
        string[] owner = asRoot ? ["--reuid=postgres", "--regid=postgres", "--init-groups", Path.Combine(bin, "postgres")] : [];
        var postgres = builder.AddExecutable("postgres", asRoot ? "setpriv" : Path.Combine(bin, "postgres"), data)
            .WithEndpoint(name: "tcp", scheme: "tcp", isProxied: false);
        var endpoint = postgres.GetEndpoint("tcp");
        postgres.WithArgs(context =>
        {
            foreach (var arg in owner) context.Args.Add(arg);
            context.Args.Add("-D");
            context.Args.Add(data);
            context.Args.Add("-k");
            context.Args.Add(data);
            context.Args.Add("-c");
            context.Args.Add("listen_addresses=127.0.0.1");
            context.Args.Add("-p");
            context.Args.Add(endpoint.Property(EndpointProperty.TargetPort));
        });

        // Healthy once it accepts connections: silos apply the schema as they start and must find it listening.
        var check = $"postgres-accepts-{Guid.NewGuid():N}";
        builder.Services.AddHealthChecks().AddAsyncCheck(check, async cancellationToken =>
        {
            if (!endpoint.IsAllocated) return HealthCheckResult.Unhealthy("no port yet");
            try
            {
                using var client = new TcpClient();
                await client.ConnectAsync("127.0.0.1", endpoint.Port, cancellationToken);
                return HealthCheckResult.Healthy();
            }
            catch (SocketException e)
            {
                return HealthCheckResult.Unhealthy(e.Message);
            }
        });
        postgres.WithHealthCheck(check);

        var connectionString = ReferenceExpression.Create(
            $"Host=127.0.0.1;Port={endpoint.Property(EndpointProperty.Port)};Database={Database};Username={User};Password={password}");
        return new PostgresResource(postgres, connectionString);
    }

    /// <summary>The database password, generated into <paramref name="file"/> (readable by its owner only) on first use.</summary>
    private static string Password(string file)
    {
        if (File.Exists(file)) return File.ReadAllText(file).Trim();
        Directory.CreateDirectory(Path.GetDirectoryName(file)!);
        var password = Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(24));
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows()) options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        using (var writer = new StreamWriter(file, options)) writer.Write(password);
        return password;
    }

    /// <summary>The newest server binaries installed (<c>/usr/lib/postgresql/{version}/bin</c>).</summary>
    private static string ServerBinaries()
    {
        var versions = Directory.Exists("/usr/lib/postgresql") ? Directory.GetDirectories("/usr/lib/postgresql") : [];
        return versions.Select(v => Path.Combine(v, "bin")).Where(b => File.Exists(Path.Combine(b, "initdb")))
                   .OrderBy(b => int.TryParse(Path.GetFileName(Path.GetDirectoryName(b)), out var major) ? major : 0).LastOrDefault()
               ?? throw new InvalidOperationException(
                   "Pixerve:AppHost:ClusterProvider=postgres needs PostgreSQL's server binaries: apt-get install postgresql");
    }

    /// <summary>initdb, then the database, in single-user mode (nothing listens while it is made).</summary>
    private static void Create(string bin, string data, bool asRoot, string password)
    {
        Directory.CreateDirectory(data);
        var passwordFile = Path.Combine(Path.GetTempPath(), $"pixerve-pg-{Guid.NewGuid():N}");
        File.WriteAllText(passwordFile, password + "\n");
        try
        {
            if (asRoot)
            {
                Run("chown", ["postgres:", data], null);
                Run("chown", ["postgres:", passwordFile], null);
            }

            if (asRoot && !Reachable(data))
                throw new InvalidOperationException(
                    $"PostgreSQL runs as the postgres user, which cannot reach {data}: let others search its parent folders (chmod o+x)");
            RunAsOwner(asRoot, Path.Combine(bin, "initdb"),
                ["-D", data, "-U", User, $"--pwfile={passwordFile}", "--auth-local=trust", "--auth-host=scram-sha-256", "-E", "UTF8"], null);
            RunAsOwner(asRoot, Path.Combine(bin, "postgres"), ["--single", "-D", data, "postgres"], $"CREATE DATABASE {Database};\n");
        }
        finally
        {
            File.Delete(passwordFile);
        }
    }

    /// <summary>Whether every folder above <paramref name="path"/> lets other users through (the postgres user is one).</summary>
    private static bool Reachable(string path)
    {
        if (OperatingSystem.IsWindows()) return true;
        for (var folder = Path.GetDirectoryName(path); !string.IsNullOrEmpty(folder); folder = Path.GetDirectoryName(folder))
            if (!File.GetUnixFileMode(folder).HasFlag(UnixFileMode.OtherExecute)) return false;
        return true;
    }

    private static void RunAsOwner(bool asRoot, string program, string[] args, string? input) =>
        Run(asRoot ? "setpriv" : program, asRoot ? ["--reuid=postgres", "--regid=postgres", "--init-groups", program, .. args] : args, input);

    private static void Run(string program, string[] args, string? input)
    {
        var start = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = input is not null };
        foreach (var arg in args) start.ArgumentList.Add(arg);
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"{program} did not start");
        if (input is not null)
        {
            process.StandardInput.Write(input);
            process.StandardInput.Close();
        }

        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0)
            throw new InvalidOperationException($"{Path.GetFileName(program)} {string.Join(' ', args.Take(2))} failed ({process.ExitCode}): {error}{output.Result}");
    }
}

/// <summary>The PostgreSQL executable and the connection string of its <c>pixerve</c> database.</summary>
public sealed record PostgresResource(IResourceBuilder<ExecutableResource> Resource, ReferenceExpression ConnectionString);
