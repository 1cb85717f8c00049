using System.ComponentModel.DataAnnotations;

namespace Pixerve.Gateway.Limits;

/// <summary>Bound from <c>Pixerve:RateLimits</c>; 0 turns a limit off.</summary>
public sealed class RateLimitOptions
{
    public const string Section = "Pixerve:RateLimits";

    [Range(0, int.MaxValue)]
    public int UploadsPerMinutePerIp { get; set; } = 300;

    /// <summary>Per job token subject (<c>sub</c>), or per token when it has none.</summary>
    [Range(0, int.MaxValue)]
    public int UploadsPerMinutePerSubject { get; set; } = 120;
}
