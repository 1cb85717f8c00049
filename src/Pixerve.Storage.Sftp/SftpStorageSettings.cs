namespace Pixerve.Storage.Sftp;

/// <summary>
/// One <c>sftp</c> credential's values for one store (declared in <see cref="SftpCredentialFields"/>): a login by password
/// and/or private key, and the host key to expect.
/// </summary>
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
        Host = credential.Required(SftpCredentialFields.Host),
        Port = credential.Int(SftpCredentialFields.Port),
        Username = credential.Required(SftpCredentialFields.Username),
        Password = credential.Optional(SftpCredentialFields.Password),
        PrivateKey = credential.Optional(SftpCredentialFields.PrivateKey),
        PrivateKeyPassphrase = credential.Optional(SftpCredentialFields.PrivateKeyPassphrase),
        HostKeyFingerprint = credential.Optional(SftpCredentialFields.HostKeyFingerprint),
        AcceptAnyHostKey = credential.Flag(SftpCredentialFields.AcceptAnyHostKey),
        Root = credential.Optional(SftpCredentialFields.Root) ?? "",
    };
}
