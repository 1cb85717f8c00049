using System.Globalization;
using System.Security.Claims;
using System.Security.Cryptography;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.Extensions.Options;
using Pixerve.Gateway.Admin;
using Pixerve.Gateway.Auth;
using Pixerve.Gateway.Jobs;
using Pixerve.Gateway.Limits;
using Pixerve.Gateway.Staging;
using Pixerve.Gateway.Upload;
using Pixerve.GrainInterfaces.Jobs;
using Pixerve.Imaging.Inspection;

namespace Pixerve.Gateway.Resumable;

/// <summary>
/// Resumable uploads: the tus 1.0 protocol (core, creation, creation-with-upload, termination, expiration) at
/// <c>/uploads</c>, for browsers (Uppy, tus-js-client) and phones (TUSKit, tus-android-client). The job token comes as
/// <c>Authorization: Bearer</c> on every request and is checked before anything is stored; the upload belongs to its
/// token's subject and job claim, and any other caller is told it does not exist. Parts go to staging as they arrive
/// (<see cref="ResumableUploadStore"/>), so any gateway may take the next one and nothing but the part in flight is in
/// memory. The request that brings the last byte makes the job exactly as <c>POST /upload</c> does: the committed bytes
/// are read back once, hashed and checked the same way, and submitted through <see cref="UploadHandler"/>.
/// </summary>
public sealed class ResumableUploadHandler(
    ResumableUploadStore store,
    UploadHandler uploads,
    IGrainFactory grains,
    IOptions<UploadOptions> limits,
    IOptions<ImageLimitsOptions> imageLimits,
    IOptions<ResumableUploadOptions> options,
    UploadRateLimiter rateLimiter,
    TimeProvider clock,
    ILogger<ResumableUploadHandler> logger)
{
    public const string Version = "1.0.0";
    public const string Extensions = "creation,creation-with-upload,termination,expiration";
    public const string PartContentType = "application/offset+octet-stream";

    /// <summary>The answer headers of the request that completed an upload (and of a HEAD on it afterwards).</summary>
    public const string HashHeader = "Pixerve-Hash", JobIdHeader = "Pixerve-Job-Id", StatusHeader = "Pixerve-Status", ExpectedFilesHeader = "Pixerve-Expected-Files";

    /// <summary>
    /// What the handler's reads and storage calls run under instead of the request's abort: when a client goes away
    /// (a phone losing its signal), the bytes that reached the gateway are still read and kept, and an upload whose last
    /// byte came still becomes its job, so the client's next HEAD finds it. Each call is bounded all the same, by the
    /// storage client's timeouts and Kestrel's minimum body data rate.
    /// </summary>
    private static readonly CancellationToken Unaborted = CancellationToken.None;

    /// <summary>The most of one request's body held in memory before it is staged as a block.</summary>
    private const int PartSize = 4 * 1024 * 1024;

    /// <summary>How long the bytes of a request whose client went away may take to be kept.</summary>
    private static readonly TimeSpan KeepReceivedTimeout = TimeSpan.FromSeconds(10);

    public IResult Options(HttpContext http)
    {
        var headers = http.Response.Headers;
        headers["Tus-Resumable"] = Version;
        headers["Tus-Version"] = Version;
        headers["Tus-Extension"] = Extensions;
        headers["Tus-Max-Size"] = limits.Value.MaxUploadBytes.ToString(CultureInfo.InvariantCulture);
        return TypedResults.NoContent();
    }

    /// <summary><c>POST /uploads</c>: creates an upload of <c>Upload-Length</c> bytes, with its first part when the body carries one.</summary>
    public async Task<IResult> CreateAsync(HttpContext http)
    {
        var request = http.Request;
        if (Refuse(http) is { } refused) return refused;
        var caller = http.User;
        if (request.Headers.ContainsKey("Upload-Defer-Length"))
            return Problem(http, StatusCodes.Status400BadRequest, "Upload-Defer-Length is not supported: send Upload-Length, the upload's size in bytes");
        if (!long.TryParse(request.Headers["Upload-Length"].ToString(), NumberStyles.None, CultureInfo.InvariantCulture, out var length))
            return Problem(http, StatusCodes.Status400BadRequest, "send Upload-Length: the upload's size in bytes, a non-negative integer");
        if (length == 0) return Problem(http, StatusCodes.Status400BadRequest, "the uploaded file is empty");
        if (length > limits.Value.MaxUploadBytes)
            return Problem(http, StatusCodes.Status413PayloadTooLarge,
                $"Upload-Length is {length} bytes, more than the limit of {limits.Value.MaxUploadBytes} bytes (Pixerve:Limits:MaxUploadBytes)");
        var uploadMetadata = request.Headers["Upload-Metadata"].ToString();
        if (TusMetadata.Problem(uploadMetadata) is { } badMetadata) return Problem(http, StatusCodes.Status400BadRequest, badMetadata);
        var hasBody = HasBody(request);
        if (hasBody && !IsPartContentType(request))
            return Problem(http, StatusCodes.Status415UnsupportedMediaType, $"a part of an upload is sent as {PartContentType}");

        // The same limits as POST /upload, taken once per upload: its creation is the request, its subject the token's.
        var permits = rateLimiter.For(http);
        if (permits.TakeRequest() is { } wait) return Unread(http, UploadHandler.TooMany(http, wait));
        if (permits.TakeSubject(caller, PixerveAuthentication.BearerToken(request)!) is { } subjectWait) return Unread(http, UploadHandler.TooMany(http, subjectWait));
        if (await uploads.PendingJobsFullAsync(http, caller) is { } full) return Unread(http, full);
        var fileName = TusMetadata.Value(uploadMetadata, "filename") ?? TusMetadata.Value(uploadMetadata, "name") ?? "";
        var (claim, refusal) = await uploads.CheckClaimAsync(caller, fileName);
        if (refusal is not null) return Unread(http, refusal.ToResult());

        var expires = clock.GetUtcNow() + options.Value.Expiry;
        var upload = await store.CreateAsync(length, ResumableUploadStore.OwnerOf(claim!.Subject, claim.SpecJson), expires,
            string.IsNullOrEmpty(uploadMetadata) ? null : uploadMetadata, Unaborted);
        logger.LogInformation("Resumable upload {Id} created: {Length} bytes", upload.Id, length);
        var created = TypedResults.Created(Location(request, upload.Id));
        if (!hasBody)
        {
            SetOffsetHeaders(http, upload, 0);
            return created;
        }

        var answer = await ReceiveAsync(http, upload);
        return answer ?? created;
    }

    /// <summary><c>HEAD /uploads/{id}</c>: where the upload stands; once complete, its job too.</summary>
    public async Task<IResult> HeadAsync(HttpContext http, string id)
    {
        if (Refuse(http) is { } refused) return refused;
        var (upload, missing) = await FindOwnAsync(http, id);
        if (missing is not null) return missing;
        http.Response.Headers.CacheControl = "no-store";
        http.Response.Headers["Upload-Length"] = upload!.Length.ToString(CultureInfo.InvariantCulture);
        if (upload.UploadMetadata is { } metadata) http.Response.Headers["Upload-Metadata"] = metadata;
        SetOffsetHeaders(http, upload, upload.Offset);
        if (upload.Complete && await FinishAsync(http, upload) is { } problem) return problem;
        return TypedResults.Ok();
    }

    /// <summary><c>GET /uploads/{id}</c>: the job a complete upload became, answered as <c>POST /upload</c> answers.</summary>
    public async Task<IResult> GetAsync(HttpContext http, string id)
    {
        if (Refuse(http, requireVersion: false) is { } refused) return refused;
        var (upload, missing) = await FindOwnAsync(http, id);
        if (missing is not null) return missing;
        if (!upload!.Complete)
            return Problem(http, StatusCodes.Status409Conflict,
                $"the upload has {upload.Offset} of its {upload.Length} bytes: send the rest with PATCH before its job exists");
        http.Response.Headers.CacheControl = "no-store";
        return await FinishAsync(http, upload) ?? TypedResults.Ok(AnswerOf(http.Response));
    }

    /// <summary><c>PATCH /uploads/{id}</c>: the next part, at the offset the server holds.</summary>
    public async Task<IResult> PatchAsync(HttpContext http, string id)
    {
        var request = http.Request;
        if (Refuse(http) is { } refused) return Unread(http, refused);
        if (!IsPartContentType(request))
            return Unread(http, Problem(http, StatusCodes.Status415UnsupportedMediaType, $"a part of an upload is sent as {PartContentType}"));
        if (!long.TryParse(request.Headers["Upload-Offset"].ToString(), NumberStyles.None, CultureInfo.InvariantCulture, out var offset))
            return Unread(http, Problem(http, StatusCodes.Status400BadRequest, "send Upload-Offset: where this part starts, a non-negative integer"));
        var (upload, missing) = await FindOwnAsync(http, id);
        if (missing is not null) return Unread(http, missing);
        if (offset != upload!.Offset)
        {
            http.Response.Headers["Upload-Offset"] = upload.Offset.ToString(CultureInfo.InvariantCulture);
            return Unread(http, Problem(http, StatusCodes.Status409Conflict,
                $"Upload-Offset is {offset}, but the upload has {upload.Offset} bytes: ask with HEAD and send from there"));
        }

        if (upload.Complete)
        {
            SetOffsetHeaders(http, upload, upload.Offset);
            if (HasBody(request)) return Unread(http, Problem(http, StatusCodes.Status400BadRequest, "the upload has all its bytes already"));
            return await FinishAsync(http, upload) ?? TypedResults.NoContent();
        }

        return await ReceiveAsync(http, upload) ?? TypedResults.NoContent();
    }

    /// <summary><c>DELETE /uploads/{id}</c>: termination. An upload that already became a job is its job's now: 409.</summary>
    public async Task<IResult> DeleteAsync(HttpContext http, string id)
    {
        if (Refuse(http) is { } refused) return refused;
        var (upload, missing) = await FindOwnAsync(http, id);
        if (missing is not null) return missing;
        if (upload!.JobId is not null)
            return Problem(http, StatusCodes.Status409Conflict, "the upload is complete and belongs to its job: cancel the job with DELETE /cancel");
        await store.DeleteAsync(upload.Id);
        logger.LogInformation("Resumable upload {Id} terminated at {Offset} of {Length} bytes", upload.Id, upload.Offset, upload.Length);
        return TypedResults.NoContent();
    }

    /// <summary>
    /// Stages the request's body from the upload's offset, part by part; completes the upload when its last byte came.
    /// Null when the answer is the caller's (204, or 201 for a creation), with the offset headers set; else a refusal.
    /// </summary>
    private async Task<IResult?> ReceiveAsync(HttpContext http, ResumableUpload upload)
    {
        var body = http.Request.Body;
        var buffer = new byte[(int)Math.Min(PartSize, upload.Length - upload.Offset)];
        var start = upload.Offset;
        var filled = 0;
        var headerSettled = upload.Offset > 0;
        try
        {
            while (true)
            {
                if (filled == buffer.Length)
                {
                    if (start + filled == upload.Length)
                    {
                        // Everything declared is here: anything more is a body longer than Upload-Length allows.
                        if (await body.ReadAsync(new byte[1], Unaborted) > 0)
                            return Unread(http, Problem(http, StatusCodes.Status413PayloadTooLarge,
                                $"the part goes past Upload-Length ({upload.Length} bytes); its last {filled} bytes were not kept"));
                        break;
                    }

                    if (!headerSettled && await CheckHeaderAsync(http, upload, buffer.AsMemory(0, filled)) is { } refused) return Unread(http, refused);
                    headerSettled = true;
                    await store.StagePartAsync(upload.Id, start, buffer.AsMemory(0, filled), Unaborted);
                    start += filled;
                    filled = 0;
                    if (buffer.Length > upload.Length - start) buffer = new byte[(int)(upload.Length - start)];
                }

                var read = await body.ReadAsync(buffer.AsMemory(filled), Unaborted);
                if (read == 0) break;
                filled += read;
            }
        }
        catch (Exception e) when (e is IOException or OperationCanceledException or BadHttpRequestException)
        {
            // The client went away (a phone losing its signal) or sent too slowly: what arrived is kept, so it resumes from
            // there rather than from the last whole part. The answer, if anyone still reads it, is the error.
            await KeepReceivedAsync(upload, start, buffer.AsMemory(0, filled), headerSettled);
            throw;
        }

        if (filled > 0)
        {
            if (!headerSettled && await CheckHeaderAsync(http, upload, buffer.AsMemory(0, filled)) is { } refused) return refused;
            await store.StagePartAsync(upload.Id, start, buffer.AsMemory(0, filled), Unaborted);
            start += filled;
        }

        SetOffsetHeaders(http, upload, start);
        if (start < upload.Length) return null;
        var complete = await store.FindAsync(upload.Id, Unaborted);
        if (complete is null) return Problem(http, StatusCodes.Status404NotFound, "the upload was terminated while its last part arrived");
        return await FinishAsync(http, complete);
    }

    private async Task KeepReceivedAsync(ResumableUpload upload, long start, ReadOnlyMemory<byte> received, bool headerSettled)
    {
        if (received.IsEmpty) return;
        try
        {
            // Bytes that would refuse the upload at its next part are not worth keeping.
            if (!headerSettled && await FirstBytesRefusalAsync(upload, received) is not null) return;
            using var timeout = new CancellationTokenSource(KeepReceivedTimeout);
            await store.StagePartAsync(upload.Id, start, received, timeout.Token);
            logger.LogInformation("Resumable upload {Id}: its client went away; kept the {Bytes} bytes that arrived at {Offset}", upload.Id, received.Length, start);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            logger.LogInformation("Resumable upload {Id}: could not keep the bytes of a broken request ({Error})", upload.Id, e.Message);
        }
    }

    /// <summary>
    /// The first bytes of an upload, checked as <c>POST /upload</c> checks a file's start: not an image (415), too many
    /// pixels (413). A refused upload is removed at once. When the first part ends before the size can be read, the check
    /// waits for the whole upload, which is checked again when complete anyway.
    /// </summary>
    private async Task<IResult?> CheckHeaderAsync(HttpContext http, ResumableUpload upload, ReadOnlyMemory<byte> first)
    {
        if (await FirstBytesRefusalAsync(upload, first) is not { } scan) return null;
        await store.DeleteAsync(upload.Id);
        logger.LogInformation("Resumable upload {Id} refused at its first bytes: {Reason}", upload.Id, scan.Refusal);
        return Problem(http, scan.RefusalStatus, scan.Refusal!);
    }

    /// <summary>The header scan of an upload's first bytes when it refuses them for good (not for want of more bytes); else null.</summary>
    private async Task<HeaderScan?> FirstBytesRefusalAsync(ResumableUpload upload, ReadOnlyMemory<byte> first)
    {
        using var bytes = ResumableUploadStore.ReadOnly(first);
        var scan = await UploadHeaderReader.ReadAsync(bytes, limits.Value, imageLimits.Value, Unaborted);
        return scan.Refusal is null || (scan.EndedEarly && first.Length < upload.Length) ? null : scan;
    }

    /// <summary>
    /// Makes the job of a complete upload, or finds it: commits the parts, reads the bytes back once to hash and check
    /// them as <c>POST /upload</c> does while streaming, names the job on the blob and submits it. Every step may be done
    /// again by a later request (a gateway that died half-way, a client that retried): the job's grain takes the same
    /// staged upload once. Null with the answer headers set; else the refusal.
    /// </summary>
    private async Task<IResult?> FinishAsync(HttpContext http, ResumableUpload upload)
    {
        var cancellationToken = Unaborted;
        var blobName = ResumableUploadStore.BlobName(upload.Id);
        if (upload.JobId is { } known && await grains.GetGrain<IJobGrain>(known).GetSnapshot() is { } existing)
        {
            SetAnswerHeaders(http.Response, new UploadResponse(existing.Hash, existing.JobId, existing.ExpectedFiles, existing.Status.ToWire()));
            return null;
        }

        // The claim checked again as the job is made: a storage key deleted since the upload began refuses it now.
        var (claim, claimRefusal) = await uploads.CheckClaimAsync(http.User, upload.FileName);
        if (claimRefusal is not null) return claimRefusal.ToResult();
        if (!upload.Committed)
        {
            if (await store.CommitAsync(upload, cancellationToken) is { } committed)
            {
                upload = committed;
            }
            else
            {
                logger.LogInformation("Resumable upload {Id} was committed by another request", upload.Id);
                upload = await store.FindAsync(upload.Id, cancellationToken) ?? upload;
            }

            if (!upload.Committed || upload.Offset != upload.Length)
                return Problem(http, StatusCodes.Status409Conflict, "the upload's parts changed while it was completed: ask with HEAD and go on");
        }

        // Hashed and checked as it streams back, as POST /upload does as it streams in.
        await using var stream = await store.OpenReadAsync(upload.Id, cancellationToken);
        var header = await UploadHeaderReader.ReadAsync(stream, limits.Value, imageLimits.Value, cancellationToken);
        if (header.Refusal is not null) return await RefuseCompleteAsync(http, upload, header.RefusalStatus, header.Refusal);
        string hash;
        long total = header.Bytes.Length;
        try
        {
            using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            var inspect = uploads.StreamInspector(header.Format);
            sha.AppendData(header.Bytes.Span);
            inspect?.Invoke(header.Bytes);
            var buffer = new byte[81920];
            int read;
            while ((read = await stream.ReadAsync(buffer, cancellationToken)) > 0)
            {
                sha.AppendData(buffer.AsSpan(0, read));
                inspect?.Invoke(buffer.AsMemory(0, read));
                total += read;
            }

            hash = Convert.ToHexStringLower(sha.GetHashAndReset());
        }
        catch (Exception e) when (UploadHandler.RefusalOf(e, upload.FileName) is { } refusal)
        {
            return await RefuseCompleteAsync(http, upload, refusal.Refusal!.StatusCode, refusal.Refusal.ProblemDetails.Detail ?? e.Message);
        }

        if (total != upload.Length)
            return Problem(http, StatusCodes.Status409Conflict, $"the upload holds {total} bytes, not its {upload.Length}: ask with HEAD and go on");
        var jobId = JobIdentity.Compute(hash, claim!.Subject, claim.SpecJson);
        if (upload.JobId != jobId && !await store.SetJobAsync(upload, jobId, hash, cancellationToken))
            return Problem(http, StatusCodes.Status409Conflict, "the upload changed while it was completed: ask with HEAD and go on");

        var staged = new StagedFile(upload.FileName, claim.Spec, claim.SpecJson, claim.Subject, header.Format,
            new StagedUpload(blobName, hash, jobId, upload.Length), null);
        var outcome = await uploads.SubmitAsync(staged, http.Response);
        if (outcome.Job is null) return outcome.Refusal!;
        SetAnswerHeaders(http.Response, outcome.Job);
        logger.LogInformation("Resumable upload {Id} complete: job {JobId}", upload.Id, jobId);
        return null;
    }

    private async Task<IResult> RefuseCompleteAsync(HttpContext http, ResumableUpload upload, int status, string detail)
    {
        await store.DeleteAsync(upload.Id);
        logger.LogInformation("Resumable upload {Id} refused when complete: {Reason}", upload.Id, detail);
        return Problem(http, status, detail);
    }

    /// <summary>The caller's upload; or 404 for one that does not exist, expired, or is another token's.</summary>
    private async Task<(ResumableUpload? Upload, IResult? Missing)> FindOwnAsync(HttpContext http, string id)
    {
        var notFound = Problem(http, StatusCodes.Status404NotFound, "no such upload: it never existed, was terminated or expired, or is another token's");
        if (!ResumableUploadStore.IsId(id) || OwnerOf(http.User) is not { } owner) return (null, notFound);
        var upload = await store.FindAsync(id, Unaborted);
        // Another token's upload is not told apart from none: its id leaks nothing.
        if (upload is null || upload.Owner != owner) return (null, notFound);
        if (store.Expired(upload))
        {
            await store.DeleteAsync(id);
            return (null, notFound);
        }

        return (upload, null);
    }

    /// <summary>The owner a job token's uploads carry; null for a token whose claim has no canonical form (it owns none).</summary>
    private static string? OwnerOf(ClaimsPrincipal caller)
    {
        try
        {
            return ResumableUploadStore.OwnerOf(CallerJobs.Subject(caller), caller.FindFirst("job")?.Value ?? "");
        }
        catch (System.Text.Json.JsonException)
        {
            return null;
        }
    }

    /// <summary>The checks every tus request passes first: the protocol version and a job token (not the admin's).</summary>
    private static IResult? Refuse(HttpContext http, bool requireVersion = true)
    {
        http.Response.Headers["Tus-Resumable"] = Version;
        if (requireVersion && http.Request.Headers["Tus-Resumable"].ToString() != Version)
        {
            http.Response.Headers["Tus-Version"] = Version;
            return Problem(http, StatusCodes.Status412PreconditionFailed, $"send Tus-Resumable: {Version}, the tus version this server speaks");
        }

        if (PixerveAuthentication.BearerToken(http.Request) is null || http.User.Identity?.IsAuthenticated != true || http.User.IsAdmin())
            return Results.Challenge(authenticationSchemes: [JwtBearerDefaults.AuthenticationScheme]);
        return null;
    }

    private static bool HasBody(HttpRequest request) =>
        request.ContentLength > 0 || (request.ContentLength is null && request.Headers.TransferEncoding.Count > 0);

    private static bool IsPartContentType(HttpRequest request) =>
        string.Equals(request.ContentType?.Split(';')[0].Trim(), PartContentType, StringComparison.OrdinalIgnoreCase);

    /// <summary>A refusal sent with the request's body unread: the connection closes rather than read a part it refused.</summary>
    private static IResult Unread(HttpContext http, IResult refusal) => HasBody(http.Request) ? new UnreadBodyRefusal(refusal) : refusal;

    private void SetOffsetHeaders(HttpContext http, ResumableUpload upload, long offset)
    {
        http.Response.Headers["Upload-Offset"] = offset.ToString(CultureInfo.InvariantCulture);
        if (upload.JobId is null) http.Response.Headers["Upload-Expires"] = upload.Expires.ToString("R", CultureInfo.InvariantCulture);
    }

    private static void SetAnswerHeaders(HttpResponse response, UploadResponse answer)
    {
        response.Headers[HashHeader] = answer.Hash;
        response.Headers[JobIdHeader] = answer.JobId;
        response.Headers[StatusHeader] = answer.Status;
        response.Headers[ExpectedFilesHeader] = string.Join(',', answer.ExpectedFiles);
    }

    private static UploadResponse AnswerOf(HttpResponse response) => new(response.Headers[HashHeader].ToString(),
        response.Headers[JobIdHeader].ToString(), response.Headers[ExpectedFilesHeader].ToString().Split(',', StringSplitOptions.RemoveEmptyEntries),
        response.Headers[StatusHeader].ToString());

    private static string Location(HttpRequest request, string id) =>
        $"{request.Scheme}://{request.Host}{request.PathBase}/uploads/{id}";

    private static IResult Problem(HttpContext http, int status, string detail) => TypedResults.Problem(statusCode: status, detail: detail);
}
