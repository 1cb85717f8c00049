namespace Pixerve.Staging;

/// <summary>
/// The staging store: where an upload waits from the gateway that received it until its job no longer needs it, read
/// by any silo and any gateway. Names are relative paths (<c>uploads/…</c>, <c>resumable/…</c>); each object carries
/// string metadata (lowercase keys) that listing returns, and a tag that changes whenever the object or its metadata
/// does, so a metadata update can be made conditional on what the caller last read.
/// </summary>
/// <remarks>
/// Every method is one request to the store where the store allows it (Azure Blob Storage: the request counts of a job
/// are pinned by tests). A store that cannot be reached throws its own transient error, or
/// <see cref="StagingUnavailableException"/>; an object that is not there is <see cref="StagedObjectNotFoundException"/>
/// on read, null or false elsewhere.
/// </remarks>
public interface IStagingStore
{
    /// <summary>The provider's name as <c>Pixerve:Staging:Provider</c> spells it.</summary>
    string Provider { get; }

    /// <summary>
    /// Starts a streamed write of <paramref name="name"/>: nothing of it is visible (to read, list or delete) until
    /// <see cref="IStagingWrite.CommitAsync"/> succeeds.
    /// </summary>
    Task<IStagingWrite> StartWriteAsync(string name, CancellationToken cancellationToken);

    /// <summary>Copies the object's bytes into <paramref name="destination"/> (one request).</summary>
    /// <exception cref="StagedObjectNotFoundException">There is no such object.</exception>
    Task ReadToAsync(string name, Stream destination, CancellationToken cancellationToken);

    /// <summary>The object's bytes, streamed.</summary>
    /// <exception cref="StagedObjectNotFoundException">There is no such object.</exception>
    Task<Stream> OpenReadAsync(string name, CancellationToken cancellationToken);

    /// <summary>Removes the object (with any parts it has); false when there was none.</summary>
    Task<bool> DeleteIfExistsAsync(string name, CancellationToken cancellationToken);

    /// <summary>Every committed object with its metadata, in pages the store chooses; empty when nothing was ever staged.</summary>
    IAsyncEnumerable<StagedObject> ListAsync(CancellationToken cancellationToken);

    /// <summary>The object's properties and metadata; null when there is none.</summary>
    Task<StagedObject?> GetAsync(string name, CancellationToken cancellationToken);

    /// <summary>
    /// Replaces the object's metadata if its tag is still <paramref name="tag"/>: the new tag, or null when the object
    /// is gone or changed since (the caller reads it again and decides).
    /// </summary>
    Task<string?> TrySetMetadataAsync(string name, IReadOnlyDictionary<string, string> metadata, string tag, CancellationToken cancellationToken);

    /// <summary>
    /// Creates an empty object whose bytes will come as parts (a resumable upload), with its metadata, so that it exists
    /// (and deleting it removes every part) from the start. Fails when the name exists. Answers its tag.
    /// </summary>
    Task<string> CreatePartedAsync(string name, IReadOnlyDictionary<string, string> metadata, CancellationToken cancellationToken);

    /// <summary>
    /// The parted object as stored now: its properties (<see cref="StagedObject.Length"/> above 0 once committed) and,
    /// until then, every part received, whichever store instance received it. Null when there is none.
    /// </summary>
    Task<PartedObject?> GetPartedAsync(string name, CancellationToken cancellationToken);

    /// <summary>Stores <paramref name="bytes"/> as the part at <paramref name="offset"/>; the same part written again replaces itself.</summary>
    Task StagePartAsync(string name, long offset, ReadOnlyMemory<byte> bytes, CancellationToken cancellationToken);

    /// <summary>
    /// Makes the object the concatenation of <paramref name="parts"/> (in that order) with <paramref name="metadata"/>,
    /// if its tag is still <paramref name="tag"/>: the new tag, or null when it is gone or changed (another request committed it).
    /// </summary>
    Task<string?> CommitPartsAsync(string name, IReadOnlyList<StagedPart> parts, IReadOnlyDictionary<string, string> metadata, string tag,
        CancellationToken cancellationToken);

    /// <summary>The folder of the Data Protection key ring, beside the staged uploads.</summary>
    IKeyRingFolder KeyRing { get; }

    /// <summary>Answers when the store can be written to (readiness); throws otherwise.</summary>
    Task ProbeAsync(CancellationToken cancellationToken);
}
