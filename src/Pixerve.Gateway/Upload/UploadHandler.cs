using System.Security.Claims;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.Net.Http.Headers;
using Pixerve.Gateway.Auth;

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
    ILogger<UploadHandler> logger)
{
    private const int MaxTokenFieldBytes = 16 * 1024;


    public async Task<IResult> HandleAsync(HttpContext http)
    {
        var request = http.Request;
        var cancellationToken = http.RequestAborted;
        if (!MediaTypeHeaderValue.TryParse(request.ContentType, out var mediaType) ||
            !mediaType.MediaType.Equals("multipart/form-data", StringComparison.OrdinalIgnoreCase) ||
            HeaderUtilities.RemoveQuotes(mediaType.Boundary).Value is not { Length: > 0 } boundary)
            return Problem(StatusCodes.Status415UnsupportedMediaType, "send multipart/form-data with a 'file' part");

        // A bad Authorization header is an error in itself; only its absence lets the form field speak.
        ClaimsPrincipal? principal = null;
        if (PixerveAuthentication.BearerToken(request) is not null)
        {
            if (http.User.Identity?.IsAuthenticated != true || http.User.IsInRole(AdminTokenHandler.Role))
                return Results.Challenge(authenticationSchemes: [JwtBearerDefaults.AuthenticationScheme]);
            principal = http.User;
        }

        var reader = new MultipartReader(boundary, request.Body);
        try
        {
            while (await reader.ReadNextSectionAsync(cancellationToken) is { } section)
            {
                if (!ContentDispositionHeaderValue.TryParse(section.ContentDisposition, out var disposition) ||
                    !disposition.DispositionType.Equals("form-data", StringComparison.OrdinalIgnoreCase))
                    continue;

                var name = HeaderUtilities.RemoveQuotes(disposition.Name).Value;
                if (name == "token" && principal is null && !disposition.IsFileDisposition())
                {
                    var (validated, error) = await ValidateFormTokenAsync(section.Body, cancellationToken);
                    if (validated is null) return Problem(StatusCodes.Status401Unauthorized, error);
                    principal = validated;
                }
                else if (name == "file")
                {
                    if (principal is null) return Problem(StatusCodes.Status401Unauthorized, TokenErrors.Missing);
                    var fileName = HeaderUtilities.RemoveQuotes(disposition.FileNameStar.HasValue ? disposition.FileNameStar : disposition.FileName).Value;
                    return await AcceptFileAsync(principal, fileName, section.Body, http.Response, cancellationToken);
                }
            }
        }
        catch (InvalidDataException e)
        {
            return Problem(StatusCodes.Status400BadRequest, $"the multipart body is malformed: {e.Message}");
        }
        catch (BadHttpRequestException e) when (e.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            return Problem(StatusCodes.Status413PayloadTooLarge, $"the upload is larger than {limits.Value.MaxUploadBytes} bytes");
        }

        return Problem(StatusCodes.Status400BadRequest, "the request has no 'file' part");
    }

    private async Task<IResult> AcceptFileAsync(ClaimsPrincipal principal, string? fileName, Stream body, HttpResponse response,
        CancellationToken cancellationToken)
    {
        JobSpec spec;
        var specJson = principal.FindFirst("job")?.Value;
        try
        {
            spec = JobSpecParser.Parse(specJson);
            await StorageKeyCheck.EnsureKnownAsync(grains, spec);
        }
        catch (JobSpecException e)
        {
            return Results.Problem(statusCode: StatusCodes.Status400BadRequest, detail: e.Message,
                extensions: new Dictionary<string, object?> { ["field"] = e.Field });
        }

        var header = await UploadHeaderReader.ReadAsync(body, limits.Value, cancellationToken);
        if (header.Refusal is not null) return Problem(header.RefusalStatus, header.Refusal);
        var format = header.Format;

        StagedUpload staged;
        try
        {
            staged = await staging.StageAsync(header.Bytes, body, limits.Value.MaxUploadBytes, cancellationToken);
        }
        catch (UploadTooLargeException e)
        {
            return Problem(StatusCodes.Status413PayloadTooLarge, e.Message);
        }

        var baseName = OutputPlan.BaseName(fileName);
        var job = grains.GetGrain<IJobGrain>(staged.Hash);
        var outcome = await job.Submit(new JobSubmission(spec, staged.BlobName, baseName, format, staged.Length, specJson!));
        if (outcome == SubmitOutcome.Overloaded)
        {
            await staging.DeleteAsync(staged.BlobName);
            response.Headers.RetryAfter = "30";
            return Problem(StatusCodes.Status503ServiceUnavailable, "the cluster is saturated: too many jobs are waiting; try again later");
        }

        if (outcome == SubmitOutcome.AlreadyActive)
        {
            await staging.DeleteAsync(staged.BlobName);
            var running = await job.GetSnapshot();
            return Results.Ok(new UploadResponse(staged.Hash, running?.ExpectedFiles ?? []));
        }

        logger.LogInformation("Queued job {Hash} ({Bytes} bytes, {Format})", staged.Hash, staged.Length, format);
        return Results.Ok(new UploadResponse(staged.Hash, OutputPlan.For(staged.Hash, baseName, format, spec).Select(o => o.Name).ToList()));
    }

    private async Task<(ClaimsPrincipal? Principal, string Error)> ValidateFormTokenAsync(Stream body, CancellationToken cancellationToken)
    {
        var buffer = new byte[MaxTokenFieldBytes + 1];
        var length = await body.ReadAtLeastAsync(buffer, buffer.Length, throwOnEndOfStream: false, cancellationToken);
        if (length > MaxTokenFieldBytes) return (null, "the token field is too long");

        var token = System.Text.Encoding.UTF8.GetString(buffer, 0, length).Trim();
        var parameters = jwtOptions.Get(JwtBearerDefaults.AuthenticationScheme).TokenValidationParameters;
        var result = await new JsonWebTokenHandler { MapInboundClaims = false }.ValidateTokenAsync(token, parameters);
        return result.IsValid
            ? (new ClaimsPrincipal(result.ClaimsIdentity), "")
            : (null, TokenErrors.Describe(result.Exception));
    }

    private static IResult Problem(int status, string detail) => Results.Problem(statusCode: status, detail: detail);
}
