using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.RateLimiting;
using Pixerve.Gateway.Auth;

namespace Pixerve.Gateway.Limits;

/// <summary>
/// ASP.NET's rate limiter on <c>POST /upload</c>: a fixed window per client IP (all requests) and one per
/// token subject (header tokens; a form token is known only once the body is read). 429 with Retry-After.
/// </summary>
public static class UploadRateLimits
{
    public const string SubjectPolicy = "upload-subject";

    public static IServiceCollection AddUploadRateLimits(this IServiceCollection services, IConfiguration configuration)
    {
        var limits = configuration.GetValidated<RateLimitOptions>(RateLimitOptions.Section);
        services.AddRateLimiter(o =>
        {
            o.OnRejected = async (context, _) =>
            {
                var retryAfter = context.Lease.TryGetMetadata(MetadataName.RetryAfter, out var wait) ? wait : TimeSpan.FromMinutes(1);
                context.HttpContext.Response.Headers.RetryAfter =
                    Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
                await ProblemResponses.WriteAsync(context.HttpContext, StatusCodes.Status429TooManyRequests,
                    $"too many uploads: try again in {retryAfter.TotalSeconds:F0} s");
            };

            o.GlobalLimiter = PartitionedRateLimiter.Create<HttpContext, string>(http =>
                limits.UploadsPerMinutePerIp > 0 && http.Request.Path.StartsWithSegments("/upload")
                    ? RateLimitPartition.GetFixedWindowLimiter($"ip:{http.Connection.RemoteIpAddress}", _ => Window(limits.UploadsPerMinutePerIp))
                    : RateLimitPartition.GetNoLimiter(""));

            o.AddPolicy(SubjectPolicy, http =>
                limits.UploadsPerMinutePerSubject > 0 && Subject(http) is { } subject
                    ? RateLimitPartition.GetFixedWindowLimiter($"sub:{subject}", _ => Window(limits.UploadsPerMinutePerSubject))
                    : RateLimitPartition.GetNoLimiter(""));
        });
        return services;
    }

    private static FixedWindowRateLimiterOptions Window(int permits) => new()
    {
        PermitLimit = permits,
        Window = TimeSpan.FromMinutes(1),
        QueueLimit = 0,
    };

    private static string? Subject(HttpContext http)
    {
        if (http.User.Identity?.IsAuthenticated != true) return null;
        if (http.User.FindFirst("sub")?.Value is { Length: > 0 } sub) return sub;
        // Tokens without a subject are limited one by one.
        return PixerveAuthentication.BearerToken(http.Request) is { } token
            ? Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(token)), 0, 16)
            : null;
    }
}
