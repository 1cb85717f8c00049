namespace Pixerve.Storage.Resilience;

/// <summary>A write refused without trying because the credential's circuit is open: the backend was not called.</summary>
public sealed class StorageUnavailableException(string message, string safeMessage, Exception innerException)
    : StorageWriteException(message, safeMessage, isTransient: false, innerException);
