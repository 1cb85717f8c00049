namespace Pixerve.Storage.Sftp;

/// <summary>Bound from <c>Pixerve:Storage:Sftp</c>: how this server talks to every SFTP credential.</summary>
public sealed class SftpStorageOptions
{
    public const string Section = "Pixerve:Storage:Sftp";

    /// <summary>Connecting and each SSH operation's limit; past it the write fails as a transient error and is retried.</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(30);
}
