using Pixerve.Staging;

namespace Pixerve.Gateway.Resumable;

/// <summary>
/// One resumable upload as its blob in the staging container holds it: the declared length and owner in the blob's
/// metadata, the bytes received so far as parts (<see cref="Blocks"/>, in order from offset 0) until the
/// last one arrives and they are committed. Any gateway reads the same state, so any gateway may take the next request.
/// </summary>
/// <param name="Owner">Whose upload it is: <see cref="ResumableUploadStore.OwnerOf"/> of the token that created it.</param>
/// <param name="UploadMetadata">The tus <c>Upload-Metadata</c> header as the client sent it.</param>
/// <param name="Committed">All bytes arrived and were committed into the blob.</param>
/// <param name="JobId">Set once the committed bytes were hashed and checked: the job they were handed to.</param>
public sealed record ResumableUpload(
    string Id,
    long Length,
    long Offset,
    string Owner,
    DateTimeOffset Expires,
    string? UploadMetadata,
    bool Committed,
    string? JobId,
    string? Hash,
    IReadOnlyList<StagedPart> Blocks,
    IReadOnlyDictionary<string, string> Metadata,
    string ETag)
{
    public bool Complete => Committed || Offset == Length;

    /// <summary>The file name from <c>Upload-Metadata</c> (<c>filename</c>, else <c>name</c>, as Uppy sends), or empty.</summary>
    public string FileName => TusMetadata.Value(UploadMetadata, "filename") ?? TusMetadata.Value(UploadMetadata, "name") ?? "";
}
