namespace Pixerve.Storage.S3;

/// <summary>Bound from <c>Pixerve:Storage:S3</c>: how this server talks to every S3 credential.</summary>
public sealed class S3StorageOptions
{
    public const string Section = "Pixerve:Storage:S3";

    /// <summary>One request's limit; a hung connection then fails as a transient error and is retried.</summary>
    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(60);
}
