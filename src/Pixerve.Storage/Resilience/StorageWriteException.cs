namespace Pixerve.Storage.Resilience;

/// <summary>
/// A write that failed. Its message is the full text for the admin and the logs (naming the backend, the credential,
/// the file and, as the backend told it, endpoints and paths); <see cref="SafeMessage"/> is the job's error as its
/// token holder sees it.
/// </summary>
public class StorageWriteException(string message, string safeMessage, bool isTransient, Exception? innerException)
    : Exception(message, innerException)
{
    /// <summary>The same sentence without hosts, user names or paths (<see cref="IObjectStore.DescribeSafely"/>).</summary>
    public string SafeMessage { get; } = safeMessage;

    /// <summary>The backend said it was worth retrying; only these are retried.</summary>
    public bool IsTransient { get; } = isTransient;

    /// <summary>
    /// Counts against the backend's circuit; false for a refusal that says nothing of the backend's health (a file
    /// of that name made by other work).
    /// </summary>
    public bool IsBackendFault { get; init; } = true;
}
