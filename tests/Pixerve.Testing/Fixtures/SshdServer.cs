using System.Diagnostics;
using System.Security.Cryptography;

namespace Pixerve.Testing.Fixtures;

/// <summary>
/// A real OpenSSH <c>sshd</c> (Debian's openssh-server; <c>.ci/run</c> installs it) serving internal-sftp on a free
/// loopback port with its own config, host key and a generated key for the current user, for one test run.
/// </summary>
public sealed class SshdServer : IAsyncDisposable
{
    private readonly ServerProcess _process;

    private SshdServer(ServerProcess process, string directory, int port, string privateKey, string fingerprint)
    {
        _process = process;
        Directory = directory;
        Port = port;
        PrivateKey = privateKey;
        HostKeyFingerprint = fingerprint;
    }

    public int Port { get; }
    public string User { get; } = Environment.UserName;
    /// <summary>The user's OpenSSH private key (ed25519, no passphrase).</summary>
    public string PrivateKey { get; }
    /// <summary><c>SHA256:…</c> as <c>ssh-keygen -lf</c> prints it.</summary>
    public string HostKeyFingerprint { get; }
    /// <summary>Where the tests' SFTP uploads go (an absolute path: the server is not chrooted).</summary>
    public string Root => Path.Combine(Directory, "files");
    private string Directory { get; }

    public static async Task<SshdServer> StartAsync()
    {
        var sshd = new[] { "/usr/sbin/sshd", "/usr/bin/sshd" }.FirstOrDefault(File.Exists)
                   ?? throw new InvalidOperationException("sshd is missing: apt-get install openssh-server (.ci/run does)");
        var directory = System.IO.Directory.CreateTempSubdirectory("pixerve-sshd-").FullName;
        System.IO.Directory.CreateDirectory(Path.Combine(directory, "files"));
        // sshd wants its privilege separation directory when started as root.
        if (Environment.UserName == "root") System.IO.Directory.CreateDirectory("/run/sshd");

        await KeygenAsync(Path.Combine(directory, "host_key"));
        await KeygenAsync(Path.Combine(directory, "user_key"));
        File.Copy(Path.Combine(directory, "user_key.pub"), Path.Combine(directory, "authorized_keys"));
        var port = ServerProcess.FreePort();
        var config = Path.Combine(directory, "sshd_config");
        await File.WriteAllTextAsync(config, $"""
            Port {port}
            ListenAddress 127.0.0.1
            HostKey {directory}/host_key
            PidFile {directory}/sshd.pid
            AuthorizedKeysFile {directory}/authorized_keys
            PubkeyAuthentication yes
            PasswordAuthentication no
            KbdInteractiveAuthentication no
            PermitRootLogin prohibit-password
            UsePAM no
            StrictModes no
            AllowUsers {Environment.UserName}
            Subsystem sftp internal-sftp
            ForceCommand internal-sftp
            LogLevel ERROR

            """);

        var start = new ProcessStartInfo(sshd) { ArgumentList = { "-D", "-e", "-f", config } };
        var process = await ServerProcess.StartAsync("sshd", start, port);
        return new SshdServer(process, directory, port, await File.ReadAllTextAsync(Path.Combine(directory, "user_key")),
            Fingerprint(await File.ReadAllTextAsync(Path.Combine(directory, "host_key.pub"))));
    }

    /// <summary>The SHA-256 fingerprint of an OpenSSH public key line, as <c>ssh-keygen -lf</c> prints it.</summary>
    public static string Fingerprint(string publicKeyLine) =>
        "SHA256:" + Convert.ToBase64String(SHA256.HashData(Convert.FromBase64String(publicKeyLine.Split(' ')[1]))).TrimEnd('=');

    private static async Task KeygenAsync(string path)
    {
        using var keygen = Process.Start(new ProcessStartInfo("ssh-keygen")
        {
            ArgumentList = { "-q", "-t", "ed25519", "-N", "", "-C", "pixerve-test", "-f", path },
            RedirectStandardError = true,
            RedirectStandardOutput = true,
        }) ?? throw new InvalidOperationException("ssh-keygen did not start");
        await keygen.WaitForExitAsync();
        if (keygen.ExitCode != 0) throw new InvalidOperationException($"ssh-keygen failed: {await keygen.StandardError.ReadToEndAsync()}");
    }

    public async ValueTask DisposeAsync()
    {
        await _process.DisposeAsync();
        System.IO.Directory.Delete(Directory, recursive: true);
    }
}
