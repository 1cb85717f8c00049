using System.ComponentModel.DataAnnotations;

namespace Pixerve.Gateway.Limits;

/// <summary>Bound from <c>Pixerve:RateLimits</c>; 0 turns a limit off.</summary>
public sealed class RateLimitOptions
{
    public const string Section = "Pixerve:RateLimits";

    /// <summary>Per client IP: each <c>POST /upload</c> counts one, and each file part after a request's first one more.</summary>
    [Range(0, int.MaxValue)]
    public int UploadsPerMinutePerIp { get; set; } = 300;

    /// <summary>Per job token subject (<c>sub</c>), or per token when it has none: each file part counts one.</summary>
    [Range(0, int.MaxValue)]
    public int UploadsPerMinutePerSubject { get; set; } = 120;

    /// <summary>
    /// Bytes of refused uploads' bodies the gateway reads and discards per client IP per minute, so that their
    /// answers reach clients that write the whole body before reading; past it a refused body is left unread
    /// and its connection closed. Without it a client with no valid token could make the gateway read for free.
    /// </summary>
    [Range(0, long.MaxValue)]
    public long RefusedBodyBytesPerMinutePerIp { get; set; } = 1L << 30;

    /// <summary>Refused bodies being read and discarded at once for one client IP; one more is left unread.</summary>
    [Range(0, 10_000)]
    public int RefusedBodyDrainsPerIp { get; set; } = 4;
}
