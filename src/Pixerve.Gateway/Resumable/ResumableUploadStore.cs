using System.Globalization;
using Pixerve.GrainInterfaces.Jobs;
using Pixerve.ServiceDefaults;
using Pixerve.Staging;

namespace Pixerve.Gateway.Resumable;

/// <summary>
/// Keeps resumable uploads in the staging store as parted objects named <c>resumable/{id}</c>. Creating one creates the
/// object (and its metadata: length, owner, expiry) from the start, so deleting it removes every part received; each
/// part is stored under its offset and length, so the offset is read back from the parts by any gateway
/// (<see cref="Chain"/>). The last part commits the parts in offset order; the object is then the job's staged upload,
/// as <c>POST /upload</c> writes one.
/// </summary>
public sealed class ResumableUploadStore(IStagingStore store, TimeProvider clock)
{
    public const string Prefix = "resumable/";
    private const string LengthKey = "length";
    private const string OwnerKey = "owner";
    private const string TusMetadataKey = "tusmetadata";
    private const string HashKey = "hash";

    /// <summary>
    /// Unix seconds after which an unfinished upload may be removed; read by the silos' staging sweep, which removes an
    /// upload that no job uses once this has passed (<c>PixerveConfiguration.StagedExpiresMetadata</c>).
    /// </summary>
    private const string ExpiresKey = PixerveConfiguration.StagedExpiresMetadata;

    public static string BlobName(string id) => Prefix + id;

    /// <summary>Whose upload it is: the subject and job claim of the token, so a refreshed token of the same job may go on.</summary>
    public static string OwnerOf(string subject, string claimJson) => JobIdentity.Compute("resumable upload", subject, claimJson);

    public static bool IsId(string id) => id.Length == 32 && id.All(char.IsAsciiHexDigitLower);

    public async Task<ResumableUpload> CreateAsync(long length, string owner, DateTimeOffset expires, string? uploadMetadata, CancellationToken cancellationToken)
    {
        var id = Guid.NewGuid().ToString("N");
        var metadata = new Dictionary<string, string>
        {
            [LengthKey] = length.ToString(CultureInfo.InvariantCulture),
            [OwnerKey] = owner,
            [ExpiresKey] = expires.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture),
        };
        if (!string.IsNullOrEmpty(uploadMetadata)) metadata[TusMetadataKey] = uploadMetadata;
        var tag = await store.CreatePartedAsync(BlobName(id), metadata, cancellationToken);
        return new ResumableUpload(id, length, 0, owner, expires, uploadMetadata, false, null, null, [], metadata, tag);
    }

    /// <summary>The upload as stored now; null when there is none (never was, terminated, expired and swept).</summary>
    public async Task<ResumableUpload?> FindAsync(string id, CancellationToken cancellationToken)
    {
        if (await store.GetPartedAsync(BlobName(id), cancellationToken) is not { } parted) return null;

        var metadata = parted.Object.Metadata;
        if (!metadata.TryGetValue(LengthKey, out var lengthText) || !long.TryParse(lengthText, CultureInfo.InvariantCulture, out var length) ||
            !metadata.TryGetValue(OwnerKey, out var owner) ||
            !metadata.TryGetValue(ExpiresKey, out var expiresText) || !long.TryParse(expiresText, CultureInfo.InvariantCulture, out var expires))
            return null;

        var committed = parted.Committed;
        var chain = committed ? [] : Chain(parted.Parts);
        var offset = committed ? parted.Object.Length : chain.Sum(b => b.Length);
        return new ResumableUpload(id, length, offset, owner, DateTimeOffset.FromUnixTimeSeconds(expires),
            Value(metadata, TusMetadataKey), committed, Value(metadata, PixerveConfiguration.StagedJobIdMetadata),
            Value(metadata, HashKey), chain, new Dictionary<string, string>(metadata), parted.Object.Tag);
    }

    /// <summary>
    /// The blocks that continue each other from offset 0 as far as any such run goes. A block's id is its offset and
    /// length, so a part written again replaces itself, and the bytes a broken request left (kept after its client went,
    /// perhaps after the client already sent that part again) sit beside the whole part instead of replacing it; a block
    /// that does not start where another ends is not part of the upload.
    /// </summary>
    private static List<StagedPart> Chain(IEnumerable<StagedPart> parts)
    {
        var byOffset = parts.Where(p => p.Length > 0).Distinct().ToLookup(p => p.Offset);
        // The furthest end reachable from each offset, from the end backwards: a few thousand parts at most.
        var furthest = new Dictionary<long, (long End, StagedPart? Next)>();
        (long End, StagedPart? Next) Reach(long offset)
        {
            if (furthest.TryGetValue(offset, out var known)) return known;
            var best = (End: offset, Next: (StagedPart?)null);
            foreach (var part in byOffset[offset])
                if (Reach(offset + part.Length).End is var end && end > best.End) best = (end, part);
            return furthest[offset] = best;
        }

        var chain = new List<StagedPart>();
        for (long at = 0; Reach(at).Next is { } next; at += next.Length) chain.Add(next);
        return chain;
    }

    /// <summary>Stages <paramref name="bytes"/> as the part that starts at <paramref name="offset"/>.</summary>
    public async Task StagePartAsync(string id, long offset, ReadOnlyMemory<byte> bytes, CancellationToken cancellationToken)
    {
        await store.StagePartAsync(BlobName(id), offset, bytes, cancellationToken);
    }

    /// <summary>Commits the upload's parts into the blob: the upload as committed, or null when it changed meanwhile (another request committed it).</summary>
    public async Task<ResumableUpload?> CommitAsync(ResumableUpload upload, CancellationToken cancellationToken)
    {
        var committed = await store.CommitPartsAsync(BlobName(upload.Id), upload.Blocks, upload.Metadata, upload.ETag, cancellationToken);
        return committed is null ? null : upload with { Committed = true, Blocks = [], ETag = committed };
    }

    /// <summary>The committed bytes, streamed.</summary>
    public Task<Stream> OpenReadAsync(string id, CancellationToken cancellationToken) => store.OpenReadAsync(BlobName(id), cancellationToken);

    /// <summary>
    /// Names the job the committed upload is for, as the gateway names it on every staged upload: from then on the
    /// staging sweep asks that job whether it still needs the blob, and the upload answers with the job.
    /// </summary>
    public async Task<bool> SetJobAsync(ResumableUpload upload, string jobId, string hash, CancellationToken cancellationToken)
    {
        var metadata = new Dictionary<string, string>(upload.Metadata)
        {
            [PixerveConfiguration.StagedJobIdMetadata] = jobId,
            [HashKey] = hash,
        };
        return await store.TrySetMetadataAsync(BlobName(upload.Id), metadata, upload.ETag, cancellationToken) is not null;
    }

    public async Task DeleteAsync(string id) => await store.DeleteIfExistsAsync(BlobName(id), CancellationToken.None);

    public bool Expired(ResumableUpload upload) => upload.JobId is null && clock.GetUtcNow() >= upload.Expires;

    /// <summary>The bytes as a stream, without copying them when they are an array's (as the handler's part buffer is).</summary>
    public static MemoryStream ReadOnly(ReadOnlyMemory<byte> bytes) =>
        System.Runtime.InteropServices.MemoryMarshal.TryGetArray(bytes, out var array)
            ? new MemoryStream(array.Array!, array.Offset, array.Count, writable: false)
            : new MemoryStream(bytes.ToArray(), writable: false);

    private static string? Value(IReadOnlyDictionary<string, string> metadata, string key) => metadata.TryGetValue(key, out var value) ? value : null;
}
