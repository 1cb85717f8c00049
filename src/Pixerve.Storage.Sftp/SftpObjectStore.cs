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

    /// <remarks>
    /// Uploaded beside the target, then renamed to it with plain SFTP rename, which refuses an existing target
    /// (unlike the posix-rename extension, which replaces it): a reader never sees half a file and none is replaced.
    /// SFTP keeps no metadata, so an existing file is kept on the registry's word.
    /// </remarks>
    public async Task<StoredObject> PutAsync(string relativePath, ReadOnlyMemory<byte> bytes, string contentType, string? fingerprint,
        CancellationToken cancellationToken)
    {
        await ConnectAsync(cancellationToken);
        var path = RemotePath(relativePath);
        var location = _display + (path.StartsWith('/') ? path : "/~/" + path);
        var slash = path.LastIndexOf('/');
        if (slash > 0) await EnsureDirectoryAsync(path[..slash], cancellationToken);
        var temporary = $"{path}.{Guid.NewGuid():N}.tmp";
        using (var body = ObjectBodies.ReadOnlyStream(bytes))
            await _client.UploadFileAsync(body, temporary, cancellationToken);
        try
        {
            await _client.RenameFileAsync(temporary, path, cancellationToken);
            return new StoredObject(location, bytes.Length, Existed: false);
        }
        catch (SshException) when (!cancellationToken.IsCancellationRequested && _client.IsConnected)
        {
            // The server says only "failure": the target exists (kept), or the rename failed for another reason.
            var existing = await ExistingSizeAsync(path, cancellationToken);
            await DeleteQuietlyAsync(temporary);
            if (existing is null) throw;
            return new StoredObject(location, existing.Value, Existed: true);
        }
    }

    private async Task<long?> ExistingSizeAsync(string path, CancellationToken cancellationToken)
    {
        try
        {
            return (await _client.GetAttributesAsync(path, cancellationToken)).Size;
        }
        catch (SftpPathNotFoundException)
        {
            return null;
        }
    }

    /// <summary>Removes a temporary upload that was not renamed; one left behind is harmless (never served under a name).</summary>
    private async Task DeleteQuietlyAsync(string temporary)
    {
        try
        {
            await _client.DeleteFileAsync(temporary, CancellationToken.None);
        }
        catch (SshException)
        {
        }
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
