namespace Pixerve.Storage;

/// <summary>
/// A file of that name is there already, and its metadata says other work made it: kept, and this output fails.
/// Not transient, and not the backend's fault (its circuit does not count it).
/// </summary>
public sealed class ObjectConflictException(string relativePath)
    : Exception($"a file named {relativePath[(relativePath.LastIndexOf('/') + 1)..]} already exists with other content; stored files are never replaced")
{
    /// <summary>The metadata key (<c>x-amz-meta-…</c> on S3) that holds an output's fingerprint.</summary>
    public const string FingerprintKey = "pixerve-fingerprint";

    /// <summary>Throws when both fingerprints are known and differ; a file written before fingerprints (none) is trusted to the registry.</summary>
    public static void ThrowIfOtherWork(string relativePath, string? expected, string? existing)
    {
        if (expected is { Length: > 0 } && existing is { Length: > 0 } && !string.Equals(expected, existing, StringComparison.Ordinal))
            throw new ObjectConflictException(relativePath);
    }
}
