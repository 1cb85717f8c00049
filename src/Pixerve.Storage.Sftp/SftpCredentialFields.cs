using Pixerve.Storage.Credentials;

namespace Pixerve.Storage.Sftp;

/// <summary>The fields of an <c>sftp</c> credential: the provider declares them, <see cref="SftpStorageSettings"/> reads them.</summary>
public static class SftpCredentialFields
{
    public static readonly CredentialField Host = new("host", "the server's host name or address", Required: true);
    public static readonly CredentialField Port = new("port", "the server's port", CredentialFieldKind.Port, Default: "22");
    public static readonly CredentialField Username = new("username", "the login", Required: true, Aliases: ["user"]);
    public static readonly CredentialField Password = new("password", "the login's password (or private_key)", Secret: true);
    public static readonly CredentialField PrivateKey = new("private_key", "an OpenSSH or PEM private key (or password)", CredentialFieldKind.Verbatim, Secret: true);
    public static readonly CredentialField PrivateKeyPassphrase = new("private_key_passphrase", "the private key's passphrase", Secret: true);
    public static readonly CredentialField HostKeyFingerprint = new("host_key_fingerprint",
        "the server's host key, SHA256:… as 'ssh-keygen -lf' prints it (or MD5 hex pairs)");
    public static readonly CredentialField AcceptAnyHostKey = new("accept_any_host_key", "testing only: trust whatever host key the server presents", CredentialFieldKind.Flag);
    public static readonly CredentialField Root = new("root", "the remote base directory; absent for the login directory");

    public static readonly IReadOnlyList<CredentialField> All =
        [Host, Port, Username, Password, PrivateKey, PrivateKeyPassphrase, HostKeyFingerprint, AcceptAnyHostKey, Root];
}
