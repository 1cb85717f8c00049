using System.Security.Claims;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.Net.Http.Headers;
using Pixerve.Gateway.Admin;
using Pixerve.Gateway.Auth;
using Pixerve.Gateway.Jobs;
using Pixerve.Gateway.Limits;
using Pixerve.Imaging;

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
    UploadSubjectLimiter subjectLimiter,
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
        var result = await AnswerAsync(http, body, maxBody);
        if (body.Admitted || body.Ended) return result;
        // Refused before the caller was known. A well-behaved client is still sending a small body and would see a
        // reset connection instead of the answer: read its rest within the pre-auth limit, and the connection lives on.
        if (http.Request.ContentLength is not > PreAuthBodyBytes && await DrainedWithinLimitAsync(body, http.RequestAborted)) return result;
        // More body than that: answer with Connection: close (a keep-alive client must not send its next request
        // down a connection about to close), then read no more of it.
        return new UnreadBodyRefusal(result);
    }

    private async Task<IResult> AnswerAsync(HttpContext http, PreAuthBodyStream body, long maxBody)
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
            if (SubjectLimited(http, http.User, bearer) is { } limited) return limited;
            principal = http.User;
            body.Admit(maxBody);
        }

        return await ReadFormAsync(http, boundary, body, principal, maxBody);
    }

    private static async Task<bool> DrainedWithinLimitAsync(PreAuthBodyStream body, CancellationToken cancellationToken)
    {
        var buffer = new byte[16 * 1024];
        try
        {
            while (await body.ReadAsync(buffer, cancellationToken) > 0)
            {
            }

            return true;
        }
        catch (Exception e) when (e is BadHttpRequestException or IOException)
        {
            // Past the limit, too slow or gone: the rest stays unread.
            return false;
        }
    }

    private static void SetKestrelBodyLimit(HttpContext http, long bytes)
    {
        if (http.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } bodySize) bodySize.MaxRequestBodySize = bytes;
    }

    private async Task<IResult> ReadFormAsync(HttpContext http, string boundary, PreAuthBodyStream body, ClaimsPrincipal? principal, long maxBody)
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
                    if (SubjectLimited(http, validated, token) is { } limited) return limited;
                    principal = validated;
                    body.Admit(maxBody);
                }
                else if (name == "file")
                {
                    if (principal is null) return Problem(StatusCodes.Status401Unauthorized, TokenErrors.Missing);
                    if (files.Count == limits.Value.MaxFilesPerUpload)
                        return Problem(StatusCodes.Status400BadRequest,
                            $"an upload may carry at most {limits.Value.MaxFilesPerUpload} files; nothing was accepted");
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
            foreach (var file in files.Skip(submitted))
                if (file.Staged is { } staged) await staging.DeleteAsync(staged.BlobName);
        }
    }

    /// <summary>Validates the spec, reads the header and stages the bytes of one file part, or says why it is refused.</summary>
    private async Task<StagedFile> StageFileAsync(ClaimsPrincipal principal, string fileName, Stream body, CancellationToken cancellationToken)
    {
        JobSpec spec;
        var specJson = principal.FindFirst("job")?.Value;
        var subject = CallerJobs.Subject(principal);
        try
        {
            if (!JobIdentity.IsValidText(subject)) throw new JobSpecException("sub", "the token's 'sub' holds an unpaired UTF-16 surrogate");
            spec = JobSpecParser.Parse(specJson, limits.Value.MaxOutputsPerJob);
            await StorageKeyCheck.EnsureKnownAsync(grains, spec);
        }
        catch (JobSpecException e)
        {
            return StagedFile.Refused(FileOutcome.Refused(fileName, StatusCodes.Status400BadRequest, e.Message, e.Field));
        }

        var header = await UploadHeaderReader.ReadAsync(body, limits.Value, cancellationToken);
        if (header.Refusal is not null) return StagedFile.Refused(FileOutcome.Refused(fileName, header.RefusalStatus, header.Refusal));

        try
        {
            // A GIF's logical screen says nothing of its frames' sizes, and neither it nor a WebP's canvas says how many
            // frames follow: each image descriptor or ANMF chunk is counted and measured as it streams by.
            Action<ReadOnlyMemory<byte>>? inspect = null;
            if (header.Format == SourceFormat.Gif)
            {
                var gifFrames = new GifFrameScanner(limits.Value.MaxSourcePixels, limits.Value.MaxFrames);
                inspect = bytes => gifFrames.Feed(bytes.Span);
            }
            else if (header.Format == SourceFormat.Webp)
            {
                var webpFrames = new WebpFrameScanner(limits.Value.MaxSourcePixels, limits.Value.MaxFrames);
                inspect = bytes => webpFrames.Feed(bytes.Span);
            }
            else if (header.Format is SourceFormat.Avif or SourceFormat.Heic)
            {
                // libheif reads the last meta box, wherever it is: one after the media data is caught as it streams by.
                var boxes = new Pixerve.Imaging.Heif.HeifBoxScanner();
                inspect = bytes => boxes.Feed(bytes.Span);
            }

            var staged = await staging.StageAsync(header.Bytes, body, limits.Value.MaxUploadBytes,
                hash => JobIdentity.Compute(hash, subject, specJson!), cancellationToken, inspect);
            return new StagedFile(fileName, spec, specJson!, subject, header.Format, staged, null);
        }
        catch (UploadTooLargeException e)
        {
            return StagedFile.Refused(FileOutcome.Refused(fileName, StatusCodes.Status413PayloadTooLarge, e.Message));
        }
        catch (GifFrameTooLargeException e)
        {
            return StagedFile.Refused(FileOutcome.Refused(fileName, StatusCodes.Status413PayloadTooLarge, e.Message));
        }
        catch (AnimationTooLargeException e)
        {
            return StagedFile.Refused(FileOutcome.Refused(fileName, StatusCodes.Status413PayloadTooLarge, e.Message));
        }
        catch (Pixerve.Imaging.Heif.HeifStructureException e)
        {
            return StagedFile.Refused(FileOutcome.Refused(fileName, StatusCodes.Status415UnsupportedMediaType, e.Message));
        }
    }

    /// <summary>Hands a staged file to the grain of its job: the same bytes with the same subject and claim are one job.</summary>
    private async Task<FileOutcome> SubmitAsync(StagedFile file, HttpResponse response)
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
                return FileOutcome.Refused(file.FileName, StatusCodes.Status503ServiceUnavailable, ClusterCalls.UnavailableDetail);
            }

            result = landed;
        }

        switch (result.Outcome)
        {
            case SubmitOutcome.Overloaded:
                await staging.DeleteAsync(staged.BlobName);
                response.Headers.RetryAfter = "30";
                return FileOutcome.Refused(file.FileName, StatusCodes.Status503ServiceUnavailable,
                    "the cluster is saturated: too many jobs are waiting; try again later");
            case SubmitOutcome.Exists:
                // The same work was asked before: answer with that job as it stands; its record is not touched.
                await staging.DeleteAsync(staged.BlobName);
                break;
            default:
                logger.LogInformation("Queued job {JobId} for {Hash} ({Bytes} bytes, {Format})", jobId, staged.Hash, staged.Length, file.Format);
                break;
        }

        return FileOutcome.Accepted(file.FileName, new UploadResponse(staged.Hash, jobId, result.ExpectedFiles, result.Status.ToWire()));
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

    /// <summary>429 with Retry-After when the token's subject has used up its uploads for the minute.</summary>
    private IResult? SubjectLimited(HttpContext http, ClaimsPrincipal principal, string token)
    {
        if (subjectLimiter.TryAcquire(principal, token) is not { } wait) return null;
        http.Response.Headers.RetryAfter = Math.Max(1, (int)Math.Ceiling(wait.TotalSeconds)).ToString(System.Globalization.CultureInfo.InvariantCulture);
        return Problem(StatusCodes.Status429TooManyRequests, $"too many uploads: try again in {wait.TotalSeconds:F0} s");
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
