using System.Text;
using Renci.SshNet;
using Renci.SshNet.Common;

namespace Pixerve.Storage.Sftp;

/// <summary>
/// An SFTP server, by password or private key. The server's host key must match <c>host_key_fingerprint</c>
/// (<c>SHA256:…</c> as <c>ssh-keygen -lf</c> prints it, or MD5 hex pairs) unless <c>accept_any_host_key</c> is set.
/// </summary>
public sealed class SftpObjectStore : IObjectStore
{
    private readonly SftpClient _client;
    private readonly string _root;
    private readonly string _display;
    private readonly HashSet<string> _knownDirectories = new(StringComparer.Ordinal);
    private string? _rejectedHostKey;

    public SftpObjectStore(SftpStorageSettings settings, SftpStorageOptions options)
    {
        var methods = new List<AuthenticationMethod>();
        if (settings.PrivateKey is { } key)
        {
            using var keyStream = new MemoryStream(Encoding.UTF8.GetBytes(key));
            var keyFile = settings.PrivateKeyPassphrase is { } passphrase
                ? new PrivateKeyFile(keyStream, passphrase)
                : new PrivateKeyFile(keyStream);
            methods.Add(new PrivateKeyAuthenticationMethod(settings.Username, keyFile));
        }

        if (settings.Password is { } password) methods.Add(new PasswordAuthenticationMethod(settings.Username, password));

        _client = new SftpClient(new ConnectionInfo(settings.Host, settings.Port, settings.Username, methods.ToArray()) { Timeout = options.Timeout });
        _client.HostKeyReceived += (_, e) =>
        {
            e.CanTrust = settings.AcceptAnyHostKey ||
                         (settings.HostKeyFingerprint is { } pinned && SftpHostKeys.Matches(pinned, e.FingerPrintSHA256, e.FingerPrintMD5));
            if (!e.CanTrust) _rejectedHostKey = "SHA256:" + e.FingerPrintSHA256;
        };
        _root = settings.Root.TrimEnd('/');
        _display = $"sftp://{settings.Username}@{settings.Host}:{settings.Port}";
    }

    public async Task<string> PutAsync(string relativePath, ReadOnlyMemory<byte> bytes, string contentType, CancellationToken cancellationToken)
    {
        await ConnectAsync(cancellationToken);
        var path = RemotePath(relativePath);
        var slash = path.LastIndexOf('/');
        if (slash > 0) await EnsureDirectoryAsync(path[..slash], cancellationToken);
        using var body = ObjectBodies.ReadOnlyStream(bytes);
        // Upload beside the target, then rename over it, so a reader never sees half a file.
        var temporary = $"{path}.{Guid.NewGuid():N}.tmp";
        await _client.UploadFileAsync(body, temporary, cancellationToken);
        await ReplaceAsync(temporary, path, cancellationToken);
        return _display + (path.StartsWith('/') ? path : "/~/" + path);
    }

    public async Task DeleteAsync(string relativePath, CancellationToken cancellationToken)
    {
        await ConnectAsync(cancellationToken);
        await _client.DeleteFileAsync(RemotePath(relativePath), cancellationToken);
    }

    public bool IsTransient(Exception error) =>
        _rejectedHostKey is null && error is not SshAuthenticationException and not SftpPermissionDeniedException and not SftpPathNotFoundException
        && (error is SshConnectionException or SshOperationTimeoutException or ProxyException || ObjectStoreErrors.IsNetwork(error));

    public string Describe(Exception error) =>
        _rejectedHostKey is { } seen
            ? $"{_display} presented host key {seen}, which does not match host_key_fingerprint (set it, or accept_any_host_key for testing)"
            : error switch
            {
                SshAuthenticationException => $"{_display} refused the login: {error.Message}",
                _ when ObjectStoreErrors.IsNetwork(error) => $"cannot reach {_display}: {error.Message}",
                _ => $"{_display}: {error.Message}",
            };

    // Never _display nor the message: SSH.NET's texts name the user, the host, the port and remote paths.
    public string DescribeSafely(Exception error) =>
        _rejectedHostKey is not null
            ? "the server's host key does not match host_key_fingerprint"
            : error switch
            {
                SshAuthenticationException => "the server refused the login",
                SftpPermissionDeniedException => "the server denied permission to write",
                SftpPathNotFoundException => "a directory on the path does not exist on the server",
                SshOperationTimeoutException => "timed out",
                _ when ObjectStoreErrors.IsTimeout(error) => "timed out",
                _ when ObjectStoreErrors.IsNetwork(error) || error is SshConnectionException or ProxyException => "cannot reach the server",
                _ => "the write failed",
            };

    private async Task ReplaceAsync(string temporary, string path, CancellationToken cancellationToken)
    {
        try
        {
            // OpenSSH's posix-rename extension replaces atomically; SSH.NET exposes it synchronously only.
            await Task.Run(() => _client.RenameFile(temporary, path, isPosix: true), cancellationToken);
        }
        catch (NotSupportedException)
        {
            // A server without the extension: plain SFTP rename refuses an existing target.
            if (await _client.ExistsAsync(path, cancellationToken)) await _client.DeleteFileAsync(path, cancellationToken);
            await _client.RenameFileAsync(temporary, path, cancellationToken);
        }
    }

    private string RemotePath(string relativePath) => _root.Length == 0 ? relativePath : $"{_root}/{relativePath}";

    private async Task ConnectAsync(CancellationToken cancellationToken)
    {
        if (!_client.IsConnected) await _client.ConnectAsync(cancellationToken);
    }

    private async Task EnsureDirectoryAsync(string directory, CancellationToken cancellationToken)
    {
        if (directory.Length == 0 || _knownDirectories.Contains(directory)) return;
        var parent = directory.LastIndexOf('/');
        if (parent > 0) await EnsureDirectoryAsync(directory[..parent], cancellationToken);
        if (!await _client.ExistsAsync(directory, cancellationToken))
        {
            try
            {
                await _client.CreateDirectoryAsync(directory, cancellationToken);
            }
            catch (SshException)
            {
                // Another job may have made it first; anything else fails again here.
                if (!await _client.ExistsAsync(directory, cancellationToken)) throw;
            }
        }

        _knownDirectories.Add(directory);
    }

    public ValueTask DisposeAsync()
    {
        if (_client.IsConnected) _client.Disconnect();
        _client.Dispose();
        return ValueTask.CompletedTask;
    }
}
