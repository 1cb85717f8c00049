using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
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
/// from the header or from the form field. 429 with Retry-After. A refused body is read only within
/// <see cref="RefusedBodyBudget"/>.
/// </summary>
public static class UploadRateLimits
{
    public static IServiceCollection AddUploadRateLimits(this IServiceCollection services, IConfiguration configuration)
    {
        var limits = configuration.GetValidated<RateLimitOptions>(RateLimitOptions.Section);
        services.AddSingleton(new UploadSubjectLimiter(limits.UploadsPerMinutePerSubject));
        services.AddSingleton(new RefusedBodyBudget(limits, TimeProvider.System));
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

/// <summary>
/// Fixed one-minute windows of permits, one per key, each opening at the first take after the previous one ended.
/// Unlike ASP.NET's rate limiters a take can be given back, so an upload refused as a whole leaves the window as
/// it found it (but for the one permit its request costs). 0 permits per window turns the limit off.
/// </summary>
public sealed class FixedWindows(long permitsPerWindow, TimeProvider clock)
{
    public static readonly TimeSpan Length = TimeSpan.FromMinutes(1);
    private readonly ConcurrentDictionary<string, Window> _windows = new();
    private long _nextSweepTicks;

    public bool Off => permitsPerWindow == 0;

    /// <summary>Null when the permits were taken (<paramref name="taken"/> gives them back), else how long until this key's window opens again.</summary>
    public TimeSpan? TryTake(string key, long permits, out Taken taken)
    {
        taken = default;
        if (Off || permits <= 0) return null;
        var now = clock.GetUtcNow().UtcTicks;
        SweepIfDue(now);
        var window = _windows.GetOrAdd(key, _ => new Window());
        lock (window)
        {
            if (now - window.Start >= Length.Ticks)
            {
                window.Start = now;
                window.Used = 0;
            }

            if (window.Used + permits > permitsPerWindow) return TimeSpan.FromTicks(window.Start + Length.Ticks - now);
            window.Used += permits;
            taken = new Taken(this, key, permits, window.Start);
            return null;
        }
    }

    /// <summary>Gives permits back to the window they were taken from; nothing once that window has ended.</summary>
    public void GiveBack(Taken taken)
    {
        if (taken.Windows != this || !_windows.TryGetValue(taken.Key, out var window)) return;
        lock (window)
        {
            if (window.Start == taken.WindowStart) window.Used = Math.Max(0, window.Used - taken.Permits);
        }
    }

    /// <summary>
    /// Forgets the windows that ended, at most once a window. A take racing with the sweep may land on a window
    /// just forgotten and go uncounted: one permit too many, once, not worth a lock around the dictionary.
    /// </summary>
    private void SweepIfDue(long now)
    {
        var due = Interlocked.Read(ref _nextSweepTicks);
        if (now < due || Interlocked.CompareExchange(ref _nextSweepTicks, now + Length.Ticks, due) != due) return;
        foreach (var (key, window) in _windows)
        {
            bool ended;
            lock (window) ended = now - window.Start >= Length.Ticks;
            if (ended) _windows.TryRemove(new KeyValuePair<string, Window>(key, window));
        }
    }

    private sealed class Window
    {
        public long Start = long.MinValue / 2;
        public long Used;
    }

    /// <summary>Permits taken from one window, to give back.</summary>
    public readonly record struct Taken(FixedWindows? Windows, string Key, long Permits, long WindowStart);
}

/// <summary>
/// Per client IP, how many refused upload bodies the gateway is reading and discarding at once and how many of
/// their bytes it read in the current minute: an attacker with no valid token cannot make it read without bound.
/// </summary>
public sealed class RefusedBodyBudget(RateLimitOptions options, TimeProvider clock)
{
    private readonly FixedWindows _bytes = new(options.RefusedBodyBytesPerMinutePerIp, clock);
    private readonly ConcurrentDictionary<string, int> _draining = new();

    /// <summary>A drain for this address, or null when it has as many going as allowed.</summary>
    public Drain? TryStart(IPAddress? address)
    {
        var key = address?.ToString() ?? "";
        var running = _draining.AddOrUpdate(key, 1, (_, n) => n + 1);
        var drain = new Drain(this, key);
        if (options.RefusedBodyDrainsPerIp == 0 || running <= options.RefusedBodyDrainsPerIp) return drain;
        drain.Dispose();
        return null;
    }

    /// <summary>How many refused bodies from this address are being read now.</summary>
    public int Draining(IPAddress? address) => _draining.GetValueOrDefault(address?.ToString() ?? "");

    private void End(string key)
    {
        if (_draining.AddOrUpdate(key, 0, (_, n) => n - 1) <= 0) _draining.TryRemove(new KeyValuePair<string, int>(key, 0));
    }

    public sealed class Drain(RefusedBodyBudget budget, string key) : IDisposable
    {
        private int _disposed;

        /// <summary>False when this address has read its bytes for the minute: read no more.</summary>
        public bool TryTake(long bytes) => budget._bytes.TryTake(key, bytes, out _) is null;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 0) budget.End(key);
        }
    }
}
