using System.ComponentModel.DataAnnotations;

namespace Pixerve.Gateway.Cors;

/// <summary>Bound from <c>Pixerve:Cors</c>: which web pages on other origins may call the job endpoints.</summary>
public sealed class BrowserCorsOptions : IValidatableObject
{
    public const string Section = "Pixerve:Cors";

    /// <summary>
    /// Exact origins (<c>https://app.example.com</c>: scheme, host and port, nothing after). Empty (the default): no
    /// answer carries CORS headers, so browsers let only pages of the gateway's own origin read them. No wildcard: the
    /// job endpoints take a token that is the caller's credential.
    /// </summary>
    public string[] AllowedOrigins { get; set; } = [];

    /// <summary>How long a browser may keep a preflight's answer (<c>Access-Control-Max-Age</c>).</summary>
    [Range(typeof(TimeSpan), "00:00:00", "1.00:00:00")]
    public TimeSpan PreflightMaxAge { get; set; } = TimeSpan.FromMinutes(10);

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        foreach (var origin in AllowedOrigins)
            if (Problem(origin) is { } problem)
                yield return new ValidationResult($"'{origin}' {problem}", [nameof(AllowedOrigins)]);
    }

    private static string? Problem(string origin)
    {
        if (origin.Contains('*')) return "is a wildcard: list each origin that may call the gateway";
        if (!Uri.TryCreate(origin, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
            return "is not an http or https origin";
        return uri.GetLeftPart(UriPartial.Authority) == origin.TrimEnd('/') && uri.UserInfo.Length == 0 && origin.Count(c => c == '/') <= 3
            ? null
            : "is not an origin: scheme, host and port only, no path, query or user";
    }
}
