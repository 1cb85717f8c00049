namespace Pixerve.Storage.Resilience;

/// <summary>A write that failed, with the job's error text (naming the backend, the credential and the file) as its message.</summary>
public class StorageWriteException(string message, bool isTransient, Exception? innerException)
    : Exception(message, innerException)
{
    /// <summary>The backend said it was worth retrying; only these are retried.</summary>
    public bool IsTransient { get; } = isTransient;
}
