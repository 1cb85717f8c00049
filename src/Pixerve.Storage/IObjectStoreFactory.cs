namespace Pixerve.Storage;

/// <summary>Opens one backend's client for a credential; each backend project registers one (<c>AddS3Storage()</c>, …).</summary>
public interface IObjectStoreFactory
{
    /// <summary>The backend's name as jobs and credentials spell it: <c>s3</c>, <c>gcs</c>, <c>sftp</c>, <c>direct</c>.</summary>
    string Backend { get; }

    IObjectStore Open(StorageCredential credential);
}
