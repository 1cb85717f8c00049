using System.Security.Claims;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.Net.Http.Headers;
using Pixerve.Gateway.Auth;
using Pixerve.Gateway.Cluster;
using Pixerve.Gateway.Jobs;
using Pixerve.Gateway.Limits;
using Pixerve.Gateway.Staging;
using Pixerve.GrainInterfaces.Jobs;
using Pixerve.Imaging.Inspection;
using Pixerve.Imaging.Inspection.Formats;
using Pixerve.Imaging.Inspection.Heif;
using Pixerve.ServiceDefaults;
using Pixerve.Gateway.Admin;

namespace Pixerve.Gateway.Upload;

/// <summary>
/// <c>POST /upload</c>: reads the multipart body as a stream (never buffered whole), authorises it, sniffs the
/// format and reads the pixel size from the header (refusing bombs before staging), stages the bytes while
/// hashing them and hands the job to its grain.
/// </summary>
public sealed class UploadHandler(
    IGrainFactory grains,
    StagingStore staging,
    IOptionsMonitor<JwtBearerOptions> jwtOptions,
    IOptions<UploadOptions> limits,
    IOptions<ImageLimitsOptions> imageLimits,
    UploadRateLimiter rateLimiter,
    RefusedBodyDrain drain,
    JobSpecParser specs,
    ILogger<UploadHandler> logger)
{
    private const int MaxTokenFieldBytes = 16 * 1024;

    /// <summary>What a caller not yet known may send: the multipart preamble and the token field before the first file.</summary>
    public const long PreAuthBodyBytes = 64 * 1024;

    /// <summary>Room per file for the multipart framing around it.</summary>
    private const long FramingAllowance = 64 * 1024;

    public async Task<IResult> HandleAsync(HttpContext http)
    {
        // Each file is held to MaxUploadBytes by staging; the request as a whole may carry the most files allowed.
        // Kestrel's limit is set before the body is read (it cannot be raised after), so a caller not yet known
        // (its token comes in the form) is held to PreAuthBodyBytes by the stream until the token is valid.
        var maxBody = Math.Max(1, limits.Value.MaxFilesPerUpload) * (limits.Value.MaxUploadBytes + FramingAllowance);
        SetKestrelBodyLimit(http, maxBody);
        var body = new PreAuthBodyStream(http.Request.Body, PreAuthBodyBytes);
        var permits = rateLimiter.For(http);
        var result = permits.TakeRequest() is { } wait ? TooMany(http, wait) : await AnswerAsync(http, body, permits, maxBody);
        // Whatever the answer, a body not read to its end is read now (within the upload limit, a time and a
        // per-address budget) or the answer closes the connection: the client must see it, not a broken pipe.
        return await drain.SettleAsync(http, result, body, maxBody);
    }

    private async Task<IResult> AnswerAsync(HttpContext http, PreAuthBodyStream body, UploadPermits permits, long maxBody)
    {
        var request = http.Request;
        if (!MediaTypeHeaderValue.TryParse(request.ContentType, out var mediaType) ||
            !mediaType.MediaType.Equals("multipart/form-data", StringComparison.OrdinalIgnoreCase) ||
            HeaderUtilities.RemoveQuotes(mediaType.Boundary).Value is not { Length: > 0 } boundary)
            return Problem(StatusCodes.Status415UnsupportedMediaType, "send multipart/form-data with a 'file' part");

        // A bad Authorization header is an error in itself; only its absence lets the form field speak.
        ClaimsPrincipal? principal = null;
        if (PixerveAuthentication.BearerToken(request) is { } bearer)
        {
            if (http.User.Identity?.IsAuthenticated != true || http.User.IsAdmin())
                return Results.Challenge(authenticationSchemes: [JwtBearerDefaults.AuthenticationScheme]);
            if (permits.TakeSubject(http.User, bearer) is { } wait) return TooMany(http, wait);
            if (await PendingJobsFullAsync(http, http.User) is { } full) return full;
            principal = http.User;
            body.Admit(maxBody);
        }

        return await ReadFormAsync(http, boundary, body, permits, principal, maxBody);
    }

    private static void SetKestrelBodyLimit(HttpContext http, long bytes)
    {
        if (http.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } bodySize) bodySize.MaxRequestBodySize = bytes;
    }

    private async Task<IResult> ReadFormAsync(HttpContext http, string boundary, PreAuthBodyStream body, UploadPermits permits,
        ClaimsPrincipal? principal, long maxBody)
    {
        var cancellationToken = http.RequestAborted;
        // Files are staged as the body streams by, and submitted only once it has been read to its end, so a
        // request refused as a whole (malformed, too many files, cut short) leaves no job behind.
        var files = new List<StagedFile>();
        var submitted = 0;
        try
        {
            var reader = new MultipartReader(boundary, body);
            while (await reader.ReadNextSectionAsync(cancellationToken) is { } section)
            {
                if (!ContentDispositionHeaderValue.TryParse(section.ContentDisposition, out var disposition) ||
                    !disposition.DispositionType.Equals("form-data", StringComparison.OrdinalIgnoreCase))
                    continue;

                var name = HeaderUtilities.RemoveQuotes(disposition.Name).Value;
                if (name == "token" && principal is null && !disposition.IsFileDisposition())
                {
                    var (validated, token, error) = await ValidateFormTokenAsync(section.Body, cancellationToken);
                    if (validated is null) return Problem(StatusCodes.Status401Unauthorized, error);
                    if (permits.TakeSubject(validated, token) is { } wait) return TooMany(http, wait);
                    if (await PendingJobsFullAsync(http, validated) is { } full) return full;
                    principal = validated;
                    body.Admit(maxBody);
                }
                else if (name == "file")
                {
                    if (principal is null) return Problem(StatusCodes.Status401Unauthorized, TokenErrors.Missing);
                    if (files.Count == limits.Value.MaxFilesPerUpload)
                        return Problem(StatusCodes.Status400BadRequest,
                            $"an upload may carry at most {limits.Value.MaxFilesPerUpload} files; nothing was accepted");
                    // Each file counts against the rate limits (the first came with the request and its token), taken
                    // before it is staged: a batch the windows cannot cover is refused whole, its staged files deleted.
                    if (files.Count > 0 && permits.TakeFile() is { } wait) return TooMany(http, wait);
                    var fileName = HeaderUtilities.RemoveQuotes(disposition.FileNameStar.HasValue ? disposition.FileNameStar : disposition.FileName).Value;
                    files.Add(await StageFileAsync(principal, fileName ?? "", section.Body, cancellationToken));
                }
            }

            if (files.Count == 0) return Problem(StatusCodes.Status400BadRequest, "the request has no 'file' part");
            var outcomes = new List<FileOutcome>(files.Count);
            foreach (var file in files)
            {
                submitted++; // counted first: a submission that throws may still have taken the staged blob
                outcomes.Add(await SubmitAsync(file, http.Response));
            }

            return UploadAnswer.For(outcomes);
        }
        catch (InvalidDataException e)
        {
            return Problem(StatusCodes.Status400BadRequest, $"the multipart body is malformed: {e.Message}");
        }
        catch (BadHttpRequestException e) when (e.StatusCode == StatusCodes.Status408RequestTimeout)
        {
            logger.LogInformation("An upload's body arrived too slowly: {Error}", e.Message);
            return Problem(StatusCodes.Status408RequestTimeout,
                $"the request body arrived too slowly (under {limits.Value.MinRequestBodyBytesPerSecond:0} bytes per second after {limits.Value.RequestBodyGracePeriod.TotalSeconds:0.#} s)");
        }
        catch (BadHttpRequestException e) when (e.StatusCode == StatusCodes.Status413PayloadTooLarge && !body.Admitted)
        {
            return Problem(StatusCodes.Status413PayloadTooLarge,
                $"more than {PreAuthBodyBytes} bytes came before a valid token; send the token first (or as Authorization: Bearer)");
        }
        catch (BadHttpRequestException e) when (e.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            // Staging stops each file at MaxUploadBytes first, so only the request as a whole gets here.
            return Problem(StatusCodes.Status413PayloadTooLarge,
                $"the request is larger than {limits.Value.MaxFilesPerUpload} files of {limits.Value.MaxUploadBytes} bytes");
        }
        finally
        {
            // Refused as a whole, no job started: its files after the first count against no window.
            if (submitted == 0) permits.GiveBackFiles();
            foreach (var file in files.Skip(submitted))
                if (file.Staged is { } staged) await staging.DeleteAsync(staged.BlobName);
        }
    }

    /// <summary>Validates the spec, reads the header and stages the bytes of one file part, or says why it is refused.</summary>
    private async Task<StagedFile> StageFileAsync(ClaimsPrincipal principal, string fileName, Stream body, CancellationToken cancellationToken)
    {
        var (claim, refusal) = await CheckClaimAsync(principal, fileName);
        if (refusal is not null) return StagedFile.Refused(refusal);

        var header = await UploadHeaderReader.ReadAsync(body, limits.Value, imageLimits.Value, cancellationToken);
        if (header.Refusal is not null) return StagedFile.Refused(FileOutcome.Refused(fileName, header.RefusalStatus, header.Refusal));

        try
        {
            var staged = await staging.StageAsync(header.Bytes, body, limits.Value.MaxUploadBytes,
                hash => JobIdentity.Compute(hash, claim!.Subject, claim.SpecJson), cancellationToken, StreamInspector(header.Format));
            return new StagedFile(fileName, claim!.Spec, claim.SpecJson, claim.Subject, header.Format, staged, null);
        }
        catch (Exception e) when (RefusalOf(e, fileName) is { } refused)
        {
            return StagedFile.Refused(refused);
        }
    }

    /// <summary>The token's job claim and subject, parsed and checked (storage keys known); or the 400 that refuses them.</summary>
    public async Task<(JobClaim? Claim, FileOutcome? Refusal)> CheckClaimAsync(ClaimsPrincipal principal, string fileName)
    {
        var specJson = principal.FindFirst("job")?.Value;
        var subject = CallerJobs.Subject(principal);
        try
        {
            if (!JobIdentity.IsValidText(subject)) throw new JobSpecException("sub", "the token's 'sub' holds an unpaired UTF-16 surrogate");
            var spec = specs.Parse(specJson, limits.Value.MaxOutputsPerJob);
            await StorageKeyCheck.EnsureKnownAsync(grains, spec);
            return (new JobClaim(spec, specJson!, subject), null);
        }
        catch (JobSpecException e)
        {
            return (null, FileOutcome.Refused(fileName, StatusCodes.Status400BadRequest, e.Message, e.Field));
        }
    }

    /// <summary>
    /// Sees every byte after the header as it streams by, for what the header cannot say: a GIF's logical screen says
    /// nothing of its frames' sizes, and neither it nor a WebP's canvas says how many frames follow (each image
    /// descriptor or ANMF chunk is counted and measured); libheif reads the last meta box, wherever it is, so one after
    /// the media data is caught too. Throws what <see cref="RefusalOf"/> turns into a refusal.
    /// </summary>
    public Action<ReadOnlyMemory<byte>>? StreamInspector(SourceFormat format)
    {
        switch (format)
        {
            case SourceFormat.Gif:
                var gifFrames = new GifFrameScanner(imageLimits.Value.MaxSourcePixels, imageLimits.Value.MaxFrames);
                return bytes => gifFrames.Feed(bytes.Span);
            case SourceFormat.Webp:
                var webpFrames = new WebpFrameScanner(imageLimits.Value.MaxSourcePixels, imageLimits.Value.MaxFrames);
                return bytes => webpFrames.Feed(bytes.Span);
            case SourceFormat.Avif or SourceFormat.Heic:
                var boxes = new HeifBoxScanner();
                return bytes => boxes.Feed(bytes.Span);
            default:
                return null;
        }
    }

    /// <summary>The refusal an exception of staging or of a <see cref="StreamInspector"/> stands for; null for any other.</summary>
    public static FileOutcome? RefusalOf(Exception e, string fileName) => e switch
    {
        UploadTooLargeException or GifFrameTooLargeException or AnimationTooLargeException =>
            FileOutcome.Refused(fileName, StatusCodes.Status413PayloadTooLarge, e.Message),
        HeifStructureException => FileOutcome.Refused(fileName, StatusCodes.Status415UnsupportedMediaType, e.Message),
        _ => null,
    };

    /// <summary>Hands a staged file to the grain of its job: the same bytes with the same subject and claim are one job.</summary>
    public async Task<FileOutcome> SubmitAsync(StagedFile file, HttpResponse response)
    {
        if (file.Staged is not { } staged) return file.Refusal!;
        var baseName = OutputPlan.BaseName(file.FileName);
        var jobId = staged.JobId;
        var job = grains.GetGrain<IJobGrain>(jobId);
        using var span = PixerveTracing.Source.StartActivity("submit");
        span?.SetTag("pixerve.job_id", jobId);
        var submission = new JobSubmission(staged.Hash, file.Spec!, staged.BlobName, baseName, file.Format, staged.Length, file.SpecJson!)
        {
            TraceParent = PixerveTracing.CurrentTraceParent(),
            Subject = file.Subject,
        };
        // Counted against the subject's share before the job exists, so two uploads racing cannot both take the
        // last place; given back below unless the job now waits or runs.
        var subjectJobs = SubjectJobs.For(grains, file.Subject);
        var counted = false;
        try
        {
            switch (await ClusterCalls.RetryAsync(() => subjectJobs.TryAdd(jobId, limits.Value.MaxPendingJobsPerSubject), logger))
            {
                case SubjectJobAdmission.Full:
                    await staging.DeleteAsync(staged.BlobName);
                    response.Headers.RetryAfter = PendingJobsRetryAfterSeconds;
                    return FileOutcome.Refused(file.FileName, StatusCodes.Status429TooManyRequests, PendingJobsDetail);
                case SubjectJobAdmission.Added:
                    counted = true;
                    break;
            }
        }
        catch (Exception e) when (ClusterCalls.IsUnavailable(e))
        {
            // Not counted: the submission meets the same cluster and most likely the same answer; a quota may under-count.
            logger.LogWarning("Could not count job {JobId} against its subject's share ({Error})", jobId, e.Message);
        }

        var waiting = false;
        try
        {
            // The job waits or runs (new, or this subject's same upload still going): it counts until it is final,
            // when it takes itself off the subject's count.
            (var outcome, waiting) = await SubmitToJobAsync(file, staged, job, submission, response);
            return outcome;
        }
        finally
        {
            if (counted && !waiting) await UncountAsync(subjectJobs, jobId);
        }
    }

    /// <summary>The submission itself; true with the outcome when the job is now waiting or running.</summary>
    private async Task<(FileOutcome Outcome, bool Waiting)> SubmitToJobAsync(StagedFile file, StagedUpload staged, IJobGrain job,
        JobSubmission submission, HttpResponse response)
    {
        var jobId = staged.JobId;
        SubmitResult result;
        try
        {
            result = await ClusterCalls.RetryAsync(() => job.Submit(submission), logger);
        }
        catch (Exception e) when (ClusterCalls.IsUnavailable(e))
        {
            // The submission may still have landed (an answer lost with a dying silo): ask the job before refusing.
            logger.LogWarning("Could not submit job {JobId}: the cluster is not reachable ({Error})", jobId, e.Message);
            if (await SubmittedAnywayAsync(job, staged.BlobName) is not { } landed)
            {
                // Unknown: the staged bytes may yet be the job's; the staging sweep removes them later if they are not.
                response.Headers.RetryAfter = ClusterCalls.RetryAfterSeconds;
                return (FileOutcome.Refused(file.FileName, StatusCodes.Status503ServiceUnavailable, ClusterCalls.UnavailableDetail), false);
            }

            result = landed;
        }

        switch (result.Outcome)
        {
            case SubmitOutcome.Overloaded:
                await staging.DeleteAsync(staged.BlobName);
                response.Headers.RetryAfter = "30";
                return (FileOutcome.Refused(file.FileName, StatusCodes.Status503ServiceUnavailable,
                    "the cluster is saturated: too many jobs are waiting; try again later"), false);
            case SubmitOutcome.Conflict:
                // Names taken for other work: no job was written, and the files already there stay as they are.
                await staging.DeleteAsync(staged.BlobName);
                return (FileOutcome.Conflict(file.FileName, result.Reason ?? "file names already taken", result.Conflicts), false);
            case SubmitOutcome.Exists:
                // The same work was asked before: answer with that job as it stands; its record is not touched.
                await staging.DeleteAsync(staged.BlobName);
                break;
            default:
                logger.LogInformation("Queued job {JobId} for {Hash} ({Bytes} bytes, {Format})", jobId, staged.Hash, staged.Length, file.Format);
                break;
        }

        return (FileOutcome.Accepted(file.FileName, new UploadResponse(staged.Hash, jobId, result.ExpectedFiles, result.Status.ToWire())),
            !result.Status.IsFinal());
    }

    /// <summary>
    /// After a submission that broke: <see cref="SubmitOutcome.Queued"/> when the job holds this very upload,
    /// <see cref="SubmitOutcome.Exists"/> when it holds another (so this one is not needed), null when no job is
    /// there or the cluster still cannot say.
    /// </summary>
    private static async Task<SubmitResult?> SubmittedAnywayAsync(IJobGrain job, string blobName)
    {
        try
        {
            return await job.GetSnapshot() is { } snapshot
                ? new SubmitResult(snapshot.StagedBlob == blobName ? SubmitOutcome.Queued : SubmitOutcome.Exists, snapshot.ExpectedFiles, snapshot.Status)
                : null;
        }
        catch (Exception e) when (ClusterCalls.IsUnavailable(e))
        {
            return null;
        }
    }

    private const string PendingJobsRetryAfterSeconds = "10";

    private string PendingJobsDetail =>
        $"the token's subject has {limits.Value.MaxPendingJobsPerSubject} jobs waiting or running (Pixerve:Limits:MaxPendingJobsPerSubject); " +
        "upload more once some have finished";

    /// <summary>
    /// 429 with Retry-After when the token's subject already has as many jobs waiting or running as it may, checked
    /// as soon as the token is valid so that nothing is staged for it. Each file is counted again as it is submitted.
    /// </summary>
    public async Task<IResult?> PendingJobsFullAsync(HttpContext http, ClaimsPrincipal principal)
    {
        try
        {
            if (await SubjectJobs.For(grains, CallerJobs.Subject(principal)).HasRoom(limits.Value.MaxPendingJobsPerSubject)) return null;
        }
        catch (Exception e) when (ClusterCalls.IsUnavailable(e))
        {
            // The upload goes on; each file's submission asks again (and meets the cluster as it then is).
            logger.LogInformation("Could not ask for the subject's jobs ({Error})", e.Message);
            return null;
        }

        http.Response.Headers.RetryAfter = PendingJobsRetryAfterSeconds;
        return Problem(StatusCodes.Status429TooManyRequests, PendingJobsDetail);
    }

    /// <summary>Takes a job counted in but not submitted back off its subject's count.</summary>
    private async Task UncountAsync(ISubjectJobsGrain subjectJobs, string jobId)
    {
        try
        {
            await subjectJobs.Remove(jobId);
        }
        catch (Exception e) when (ClusterCalls.IsUnavailable(e))
        {
            // It counts until the subject's grain, once full, finds the job final or never written.
            logger.LogWarning("Could not take job {JobId} off its subject's count ({Error})", jobId, e.Message);
        }
    }

    /// <summary>429 with Retry-After: a rate limit's window is used up (the client IP's or the token subject's).</summary>
    public static IResult TooMany(HttpContext http, TimeSpan wait)
    {
        http.Response.Headers.RetryAfter = UploadRateLimits.RetryAfter(wait);
        return Problem(StatusCodes.Status429TooManyRequests, $"too many uploads: try again in {Math.Ceiling(wait.TotalSeconds):F0} s");
    }

    private async Task<(ClaimsPrincipal? Principal, string Token, string Error)> ValidateFormTokenAsync(Stream body, CancellationToken cancellationToken)
    {
        var buffer = new byte[MaxTokenFieldBytes + 1];
        var length = await body.ReadAtLeastAsync(buffer, buffer.Length, throwOnEndOfStream: false, cancellationToken);
        if (length > MaxTokenFieldBytes) return (null, "", "the token field is too long");

        var token = System.Text.Encoding.UTF8.GetString(buffer, 0, length).Trim();
        var parameters = jwtOptions.Get(JwtBearerDefaults.AuthenticationScheme).TokenValidationParameters;
        var result = await new JsonWebTokenHandler { MapInboundClaims = false }.ValidateTokenAsync(token, parameters);
        return result.IsValid
            ? (new ClaimsPrincipal(result.ClaimsIdentity), token, "")
            : (null, token, TokenErrors.Describe(result.Exception));
    }

    private static IResult Problem(int status, string detail) => Results.Problem(statusCode: status, detail: detail);
}
