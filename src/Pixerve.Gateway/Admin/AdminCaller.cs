using System.Security.Claims;

namespace Pixerve.Gateway.Admin;

/// <summary>
/// Who is the admin: a caller signed in by one of the two admin schemes (the admin token as Bearer, or as the
/// password of HTTP Basic), and nobody else. Claims never decide it: a job token is minted by every application
/// backend that holds the JWT secret, so whatever it carries (a role of "admin" under any claim type) grants nothing.
/// </summary>
public static class AdminCaller
{
    private static readonly string[] Schemes = [AdminTokenHandler.SchemeName, AdminBasicHandler.SchemeName];

    /// <summary>The identity an admin scheme signs its caller in with: its authentication type is the scheme's name.</summary>
    public static ClaimsPrincipal Principal(string scheme) =>
        new(new ClaimsIdentity([new Claim(ClaimTypes.Name, "admin")], scheme));

    /// <summary>
    /// True when an identity of the caller was authenticated by an admin scheme. The JWT handler names its
    /// identities with a type of its own, which no token's content can change.
    /// </summary>
    public static bool IsAdmin(this ClaimsPrincipal caller) =>
        caller.Identities.Any(i => i.IsAuthenticated && Schemes.Contains(i.AuthenticationType, StringComparer.Ordinal));

    /// <summary>The admin scheme that signed the caller in, for the audit log; null for anyone else.</summary>
    public static string? Scheme(ClaimsPrincipal caller) =>
        caller.Identities.FirstOrDefault(i => i.IsAuthenticated && Schemes.Contains(i.AuthenticationType, StringComparer.Ordinal))?.AuthenticationType;
}
