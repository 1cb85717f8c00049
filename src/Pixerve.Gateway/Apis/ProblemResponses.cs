using Microsoft.AspNetCore.WebUtilities;

namespace Pixerve.Gateway.Apis;

/// <summary>RFC 7807 answers for code paths outside endpoint results (authentication handlers).</summary>
public static class ProblemResponses
{
    /// <summary>The detail of a problem that has none, from its status and the request.</summary>
    public static void AddDefaultDetail(ProblemDetailsContext context)
    {
        if (!string.IsNullOrEmpty(context.ProblemDetails.Detail)) return;
        var request = context.HttpContext.Request;
        var status = context.ProblemDetails.Status ?? context.HttpContext.Response.StatusCode;
        context.ProblemDetails.Detail = status switch
        {
            StatusCodes.Status404NotFound => $"nothing at {request.Path}: the endpoints are listed in /openapi/v1.json",
            StatusCodes.Status405MethodNotAllowed => $"{request.Path} does not take {request.Method}: the methods it takes are listed in /openapi/v1.json",
            StatusCodes.Status415UnsupportedMediaType => $"{request.Method} {request.Path} does not take {(string.IsNullOrEmpty(request.ContentType) ? "a body without Content-Type" : request.ContentType)}",
            StatusCodes.Status400BadRequest => "the request is malformed",
            StatusCodes.Status500InternalServerError => "an unexpected error: the gateway's log has it under this request's trace id",
            _ => ReasonPhrases.GetReasonPhrase(status) is { Length: > 0 } phrase ? phrase : $"HTTP {status}",
        };
    }

    public static async Task WriteAsync(HttpContext context, int status, string detail)
    {
        context.Response.StatusCode = status;
        var problems = context.RequestServices.GetRequiredService<IProblemDetailsService>();
        await problems.WriteAsync(new ProblemDetailsContext
        {
            HttpContext = context,
            ProblemDetails = { Status = status, Detail = detail },
        });
    }
}
