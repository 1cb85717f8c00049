using System.Buffers;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Options;
using Pixerve.Gateway.Limits;

namespace Pixerve.Gateway.Upload;

/// <summary>
/// What becomes of the rest of an upload's body once its answer is known (most often a refusal: a bad token, a
/// rate limit, too many files). Many HTTP/1.1 clients (Node's fetch, Java's HttpClient) write the whole body
/// before they read anything: closing on them mid-body loses the answer to a broken pipe. So the rest is read and
/// thrown away before the answer goes out, and the connection lives on, within bounds: the upload limit (a body
/// declared or found larger is left unread), <see cref="UploadOptions.RefusedBodyDrainTime"/>, and the client
/// address's <see cref="RefusedBodyBudget"/> (bytes per minute, drains at once), so draining is no free way to
/// make the gateway read. A client waiting on <c>Expect: 100-continue</c> that was never asked for its body is not
/// asked now. Whatever is left unread is answered with <c>Connection: close</c> (<see cref="UnreadBodyRefusal"/>).
/// </summary>
public sealed class RefusedBodyDrain(IOptions<UploadOptions> limits, RefusedBodyBudget budget, ILogger<RefusedBodyDrain> logger)
{
    private const int BufferBytes = 64 * 1024;

    /// <param name="body">The upload's body as the handler read it (how much, whether to its end).</param>
    /// <param name="maxBody">The upload limit: Kestrel's limit for this request is already set to it.</param>
    public async Task<IResult> SettleAsync(HttpContext http, IResult answer, PreAuthBodyStream body, long maxBody)
    {
        var request = http.Request;
        if (body.Ended || request.ContentLength == 0 || http.Features.Get<IHttpRequestBodyDetectionFeature>() is { CanHaveBody: false })
            return answer;
        if (!body.Started && ExpectsContinue(request))
        {
            // Kestrel sends 100 Continue on the first read: not reading keeps the client from sending what would
            // only be thrown away. The connection cannot carry another request while that body may still come.
            return new UnreadBodyRefusal(answer);
        }

        if (request.ContentLength > maxBody) return new UnreadBodyRefusal(answer);
        return await DrainAsync(http, body.BytesRead) ? answer : new UnreadBodyRefusal(answer);
    }

    private static bool ExpectsContinue(HttpRequest request) =>
        request.Headers.Expect.Any(value => value is not null && value.Contains("100-continue", StringComparison.OrdinalIgnoreCase));

    /// <summary>Reads the body to its end; false when it must stay unread (time, budget, the limit, or the client gone).</summary>
    private async Task<bool> DrainAsync(HttpContext http, long alreadyRead)
    {
        var time = limits.Value.RefusedBodyDrainTime;
        if (time <= TimeSpan.Zero) return false;
        var address = http.Connection.RemoteIpAddress;
        using var drain = budget.TryStart(address);
        if (drain is null)
        {
            logger.LogDebug("An upload's body from {Address} is left unread: that address has as many bodies being drained as allowed", address);
            return false;
        }

        // A declared length is taken from the budget at once: a drain that must stop halfway helps no one.
        var length = http.Request.ContentLength;
        if (length is { } declared && !drain.TryTake(declared - alreadyRead))
        {
            logger.LogDebug("An upload's body from {Address} is left unread: its {Bytes} bytes are past that address's drain budget", address, declared - alreadyRead);
            return false;
        }

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(http.RequestAborted);
        timeout.CancelAfter(time);
        var buffer = ArrayPool<byte>.Shared.Rent(BufferBytes);
        try
        {
            // Kestrel's limit for this request (the upload limit) stops a chunked body that goes on past it.
            int read;
            while ((read = await http.Request.Body.ReadAsync(buffer.AsMemory(0, BufferBytes), timeout.Token)) > 0)
            {
                if (length is null && !drain.TryTake(read))
                {
                    logger.LogDebug("An upload's chunked body from {Address} is left unread past that address's drain budget", address);
                    return false;
                }
            }

            return true;
        }
        catch (Exception e) when (e is BadHttpRequestException or IOException or OperationCanceledException)
        {
            // Past the limit, slower than the minimum rate, longer than the drain time, or the client gone.
            logger.LogDebug("An upload's body from {Address} is left unread: {Error}", address, e.Message);
            return false;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
