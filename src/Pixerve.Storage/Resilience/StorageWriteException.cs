namespace Pixerve.Storage.Resilience;

/// <summary>A write that failed, with the job's error text (naming the backend, the credential and the file) as its message.</summary>
public class StorageWriteException(string message, bool isTransient, Exception? innerException)
    : Exception(message, innerException)
{
    /// <summary>The backend said it was worth retrying; only these are retried.</summary>
    public bool IsTransient { get; } = isTransient;

    /// <summary>
    /// Counts against the backend's circuit; false for a refusal that says nothing of the backend's health (a file
    /// of that name made by other work).
    /// </summary>
    public bool IsBackendFault { get; init; } = true;
}
