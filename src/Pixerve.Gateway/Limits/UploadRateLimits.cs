using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using Pixerve.ServiceDefaults;

namespace Pixerve.Gateway.Limits;

/// <summary>
/// The upload's rate limits, all taken by the upload handler (none by middleware): it alone knows how many file
/// parts a request carries and how much of a refused body it reads. Per client IP a request counts one and each
/// file part after its first one more; per token subject each file part counts one (<see cref="UploadPermits"/>).
/// A refused body is read only within <see cref="RefusedBodyBudget"/>. 429 with Retry-After.
/// </summary>
public static class UploadRateLimits
{
    public static IServiceCollection AddUploadRateLimits(this IServiceCollection services, IConfiguration configuration)
    {
        var limits = configuration.GetValidated<RateLimitOptions>(RateLimitOptions.Section);
        services.AddSingleton(new UploadRateLimiter(limits, TimeProvider.System));
        services.AddSingleton(new RefusedBodyBudget(limits, TimeProvider.System));
        return services;
    }

    /// <summary>A Retry-After value: whole seconds, at least one.</summary>
    public static string RetryAfter(TimeSpan wait) => Math.Max(1, (int)Math.Ceiling(wait.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
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

/// <summary>The upload windows per client IP and per token subject, shared by every request of a gateway.</summary>
public sealed class UploadRateLimiter(RateLimitOptions options, TimeProvider clock)
{
    internal FixedWindows PerIp { get; } = new(options.UploadsPerMinutePerIp, clock);
    internal FixedWindows PerSubject { get; } = new(options.UploadsPerMinutePerSubject, clock);

    /// <summary>The permits of one request, from the client address the connection (or a configured proxy) gives.</summary>
    public UploadPermits For(HttpContext http) => new(this, "ip:" + http.Connection.RemoteIpAddress);
}

/// <summary>
/// One upload's permits. The request takes one from its IP's window as it arrives, one from its subject's once
/// the token is valid, and each file part after the first one more from both: a batch of N files counts N.
/// </summary>
public sealed class UploadPermits(UploadRateLimiter limiter, string ipKey)
{
    private readonly List<FixedWindows.Taken> _files = [];
    private string? _subjectKey;

    public TimeSpan? TakeRequest() => limiter.PerIp.TryTake(ipKey, 1, out _);

    /// <summary>The first file's permit from the subject's window (every valid upload has one), taken as the token is found valid.</summary>
    public TimeSpan? TakeSubject(ClaimsPrincipal principal, string token)
    {
        _subjectKey = principal.FindFirst("sub")?.Value is { Length: > 0 } sub
            ? "sub:" + sub
            : "token:" + Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(token)), 0, 16);
        return limiter.PerSubject.TryTake(_subjectKey, 1, out _);
    }

    /// <summary>A file part after the request's first, taken as it is reached (before it is staged).</summary>
    public TimeSpan? TakeFile()
    {
        if (limiter.PerIp.TryTake(ipKey, 1, out var ip) is { } ipWait) return ipWait;
        _files.Add(ip);
        if (_subjectKey is null) return null;
        if (limiter.PerSubject.TryTake(_subjectKey, 1, out var subject) is { } subjectWait) return subjectWait;
        _files.Add(subject);
        return null;
    }

    /// <summary>An upload refused as a whole (no job started): its files after the first count no more.</summary>
    public void GiveBackFiles()
    {
        foreach (var taken in _files) taken.Windows?.GiveBack(taken);
        _files.Clear();
    }
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
