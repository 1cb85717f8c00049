using Pixerve.Staging;

namespace Pixerve.Grains.Staging;

/// <summary>
/// The "kept" mark on a staged upload: a failed job's original, kept for a retry, which the staging sweep no longer
/// asks about every period. Marked by the sweep once the job says so; unmarked by a retry before the job is pending.
/// </summary>
public static class StagedOriginals
{
    /// <summary>The metadata entry that marks an original kept by a failed job.</summary>
    public const string KeptMetadata = "kept";

    public static bool IsKept(StagedObject staged) => staged.Metadata.ContainsKey(KeptMetadata);

    /// <summary>Marks the original as listed; false when it is gone or changed since (the next sweep sees it as it is).</summary>
    public static async Task<bool> KeepAsync(IStagingStore staging, StagedObject staged, CancellationToken cancellationToken)
    {
        var metadata = new Dictionary<string, string>(staged.Metadata) { [KeptMetadata] = "1" };
        return await staging.TrySetMetadataAsync(staged.Name, metadata, staged.Tag, cancellationToken) is not null;
    }

    /// <summary>Removes the kept mark where there is one; false when the original is gone.</summary>
    public static async Task<bool> UnkeepAsync(IStagingStore staging, string name)
    {
        // The sweep is the only other writer of the metadata: should it mark the original between the read and the
        // write, the write is refused and the original read again.
        for (var attempt = 0; ; attempt++)
        {
            if (await staging.GetAsync(name, CancellationToken.None) is not { } staged) return false;
            if (!IsKept(staged)) return true;
            var metadata = new Dictionary<string, string>(staged.Metadata);
            metadata.Remove(KeptMetadata);
            if (await staging.TrySetMetadataAsync(name, metadata, staged.Tag, CancellationToken.None) is not null) return true;
            if (attempt == 2) throw new InvalidOperationException($"the staged original {name} kept changing while its kept mark was removed");
        }
    }
}
