using System.Globalization;
using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.RateLimiting;
using Pixerve.Gateway.Auth;

namespace Pixerve.Gateway.Limits;

/// <summary>
/// ASP.NET's rate limiter on <c>POST /upload</c>: a fixed window per client IP (all requests). The window per
/// token subject is <see cref="UploadSubjectLimiter"/>, taken by the upload handler once it knows the token,
/// from the header or from the form field. 429 with Retry-After.
/// </summary>
public static class UploadRateLimits
{
    public static IServiceCollection AddUploadRateLimits(this IServiceCollection services, IConfiguration configuration)
    {
        var limits = configuration.GetValidated<RateLimitOptions>(RateLimitOptions.Section);
        services.AddSingleton(new UploadSubjectLimiter(limits.UploadsPerMinutePerSubject));
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
        });
        return services;
    }

    internal static FixedWindowRateLimiterOptions Window(int permits) => new()
    {
        PermitLimit = permits,
        Window = TimeSpan.FromMinutes(1),
        QueueLimit = 0,
    };
}

/// <summary>A fixed window of uploads per minute per token subject (<c>sub</c>), or per token when it has none.</summary>
public sealed class UploadSubjectLimiter(int permitsPerMinute) : IDisposable
{
    private readonly PartitionedRateLimiter<string> _limiter = PartitionedRateLimiter.Create<string, string>(key =>
        permitsPerMinute > 0
            ? RateLimitPartition.GetFixedWindowLimiter(key, _ => UploadRateLimits.Window(permitsPerMinute))
            : RateLimitPartition.GetNoLimiter(""));

    /// <summary>Null when the upload may go on, else how long to wait.</summary>
    public TimeSpan? TryAcquire(ClaimsPrincipal principal, string token)
    {
        var key = principal.FindFirst("sub")?.Value is { Length: > 0 } sub
            ? "sub:" + sub
            : "token:" + Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(token)), 0, 16);
        using var lease = _limiter.AttemptAcquire(key);
        if (lease.IsAcquired) return null;
        return lease.TryGetMetadata(MetadataName.RetryAfter, out var wait) ? wait : TimeSpan.FromMinutes(1);
    }

    public void Dispose() => _limiter.Dispose();
}
