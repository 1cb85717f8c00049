using System.ComponentModel.DataAnnotations;

namespace Pixerve.Gateway.Auth;

/// <summary>Bound from <c>Pixerve:Jwt</c>; the secret also comes from <c>PIXERVE_JWT_SECRET</c>.</summary>
public sealed class JwtOptions
{
    public const string Section = "Pixerve:Jwt";
    public const int MinimumSecretBytes = 32;

    public string Secret { get; set; } = "";
    public string? Issuer { get; set; }
    public string? Audience { get; set; }

    /// <summary>The longest a token may live: both <c>exp − now</c> and (when it has one) <c>exp − iat</c>.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "365.00:00:00")]
    public TimeSpan MaxLifetime { get; set; } = TimeSpan.FromHours(24);
}
