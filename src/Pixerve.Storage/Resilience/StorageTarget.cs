namespace Pixerve.Storage.Resilience;

/// <summary>
/// What one circuit and its pipeline belong to: a backend used with one credential, or the serve directory
/// (<c>direct</c> with no credential). One dead credential must not fail jobs that use another.
/// </summary>
public readonly record struct StorageTarget(string Backend, string? CredentialKey)
{
    /// <summary>How logs name the circuit: <c>s3:media</c>, <c>direct:(serve directory)</c>.</summary>
    public string CircuitName => $"{Backend}:{CredentialKey ?? "(serve directory)"}";

    /// <summary>How job errors name the backend: <c>s3 'media'</c>, <c>direct (serve directory)</c>.</summary>
    public string Label => CredentialKey is null ? "direct (serve directory)" : $"{Backend} '{CredentialKey}'";

    public override string ToString() => CircuitName;
}
