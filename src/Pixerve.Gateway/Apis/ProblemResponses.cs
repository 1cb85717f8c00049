namespace Pixerve.Gateway.Apis;

/// <summary>RFC 7807 answers for code paths outside endpoint results (authentication handlers).</summary>
public static class ProblemResponses
{
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
