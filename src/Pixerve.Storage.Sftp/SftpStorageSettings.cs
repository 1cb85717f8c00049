namespace Pixerve.Storage.Sftp;

/// <summary>The fields of an <c>sftp</c> credential: a login by password and/or private key, and the host key to expect.</summary>
public sealed record SftpStorageSettings
{
    public required string Host { get; init; }
    public int Port { get; init; } = 22;
    public required string Username { get; init; }
    public string? Password { get; init; }
    /// <summary>OpenSSH or PEM text.</summary>
    public string? PrivateKey { get; init; }
    public string? PrivateKeyPassphrase { get; init; }
    /// <summary><c>SHA256:…</c> as <c>ssh-keygen -lf</c> prints it, or MD5 hex pairs.</summary>
    public string? HostKeyFingerprint { get; init; }
    /// <summary>Testing only: trust whatever key the server presents.</summary>
    public bool AcceptAnyHostKey { get; init; }
    /// <summary>The remote base directory; empty for the login directory.</summary>
    public string Root { get; init; } = "";

    public static SftpStorageSettings From(StorageCredential credential) => new()
    {
        Host = credential.Required("host"),
        Port = credential.Int("port", 22),
        Username = credential.Required("username"),
        Password = credential.Optional("password"),
        PrivateKey = credential.Optional("private_key"),
        PrivateKeyPassphrase = credential.Optional("private_key_passphrase"),
        HostKeyFingerprint = credential.Optional("host_key_fingerprint"),
        AcceptAnyHostKey = credential.Flag("accept_any_host_key"),
        Root = credential.Optional("root") ?? "",
    };
}
