using Microsoft.Extensions.Options;
using Pixerve.Storage.Credentials;

namespace Pixerve.Storage.Sftp;

public sealed class SftpStorageProvider(IOptions<SftpStorageOptions> options) : IStorageProvider
{
    public const string Name = "sftp";

    string IStorageProvider.Name => Name;

    public string Description => "an SFTP server, by password and/or private key, with its host key pinned";

    public IReadOnlyList<CredentialField> Fields => SftpCredentialFields.All;

    /// <summary>A login needs a password or a key, and an unpinned host key would let anyone in the path take the files.</summary>
    public IEnumerable<CredentialFieldError> Validate(IReadOnlyDictionary<string, string> fields)
    {
        if (!fields.ContainsKey(SftpCredentialFields.Password.Name) && !fields.ContainsKey(SftpCredentialFields.PrivateKey.Name))
            yield return new(SftpCredentialFields.Password.Name, "set password or private_key");
        if (!fields.ContainsKey(SftpCredentialFields.HostKeyFingerprint.Name) && fields.GetValueOrDefault(SftpCredentialFields.AcceptAnyHostKey.Name) != "true")
            yield return new(SftpCredentialFields.HostKeyFingerprint.Name,
                "pin the server's host key (SHA256:… from 'ssh-keygen -lf'), or set accept_any_host_key for testing");
    }

    public IObjectStore Open(StorageCredential credential) => new SftpObjectStore(SftpStorageSettings.From(credential), options.Value);
}
