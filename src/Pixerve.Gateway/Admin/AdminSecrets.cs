using System.Security.Cryptography;
using System.Text;
using Pixerve.Gateway.Apis;

namespace Pixerve.Gateway.Admin;

/// <summary>Checks a presented admin token, and keeps a browser's admin session from being used cross-site.</summary>
public static class AdminSecrets
{
    /// <summary>
    /// Compares SHA-256 digests in constant time: both sides are 32 bytes whatever was sent, so neither the
    /// content nor the length of the token shows in the timing (FixedTimeEquals returns at once on a length difference).
    /// </summary>
    public static bool Matches(string? presented, string? token) =>
        presented is not null && !string.IsNullOrEmpty(token) &&
        CryptographicOperations.FixedTimeEquals(SHA256.HashData(Encoding.UTF8.GetBytes(presented)), SHA256.HashData(Encoding.UTF8.GetBytes(token)));

    /// <summary>
    /// Whether a request that a browser could have been made to send from another site must be refused: a
    /// state-changing method (anything but GET, HEAD, OPTIONS, TRACE) authenticated by HTTP Basic, which the
    /// browser attaches by itself, without <c>Sec-Fetch-Site: same-origin</c> and without an <c>Origin</c> equal to
    /// this server's. Bearer requests carry their credential explicitly and are not affected.
    /// </summary>
    public static bool IsCrossSiteBasic(HttpRequest request, string? authenticationType)
    {
        if (authenticationType != AdminBasicHandler.SchemeName) return false;
        if (HttpMethods.IsGet(request.Method) || HttpMethods.IsHead(request.Method) ||
            HttpMethods.IsOptions(request.Method) || HttpMethods.IsTrace(request.Method))
            return false;
        if (request.Headers["Sec-Fetch-Site"].ToString() == "same-origin") return false;
        var origin = request.Headers.Origin.ToString();
        return !(origin.Length > 0 && string.Equals(origin, $"{request.Scheme}://{request.Host}", StringComparison.OrdinalIgnoreCase));
    }

    /// <summary>After authentication: a 403 problem for a cross-site state-changing request signed in by Basic.</summary>
    public static IApplicationBuilder UseAdminCrossSiteGuard(this IApplicationBuilder app) => app.Use(async (context, next) =>
    {
        if (IsCrossSiteBasic(context.Request, context.User.Identity?.AuthenticationType))
        {
            await ProblemResponses.WriteAsync(context, StatusCodes.Status403Forbidden,
                "a state-changing admin request signed in with HTTP Basic must come from this origin (Sec-Fetch-Site: same-origin or a matching Origin); scripts send the admin token as 'Authorization: Bearer'");
            return;
        }
        await next(context);
    });
}
