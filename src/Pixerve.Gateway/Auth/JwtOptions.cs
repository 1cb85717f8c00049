namespace Pixerve.Gateway.Auth;

/// <summary>Bound from <c>Pixerve:Jwt</c>; the secret also comes from <c>PIXERVE_JWT_SECRET</c>.</summary>
public sealed class JwtOptions
{
    public const string Section = "Pixerve:Jwt";
    public const int MinimumSecretBytes = 32;

    public string Secret { get; set; } = "";
    public string? Issuer { get; set; }
    public string? Audience { get; set; }
}
