using System.Net.Http.Headers;
using System.Text;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;
using Pixerve.Gateway.Apis;

namespace Pixerve.Gateway.Admin;

/// <summary>
/// HTTP Basic for browsers (the dashboard and the jobs page): any user name, the admin token as the password,
/// compared in constant time. Signs the caller in as the admin, like <see cref="AdminTokenHandler"/>.
/// </summary>
public sealed class AdminBasicHandler(IOptionsMonitor<AdminTokenOptions> options, ILoggerFactory logger, UrlEncoder encoder)
    : AuthenticationHandler<AdminTokenOptions>(options, logger, encoder)
{
    public const string SchemeName = "AdminBasic";

    /// <summary>The challenge that makes a browser ask for the user name and password.</summary>
    public const string Challenge = "Basic realm=\"Pixerve admin\", charset=\"UTF-8\"";

    protected override Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        if (Password(Request) is not { } presented) return Task.FromResult(AuthenticateResult.NoResult());
        if (!AdminSecrets.Matches(presented, Options.Token))
            return Task.FromResult(AuthenticateResult.Fail("the admin password is not valid"));

        return Task.FromResult(AuthenticateResult.Success(new AuthenticationTicket(AdminCaller.Principal(SchemeName), SchemeName)));
    }

    protected override async Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        Response.Headers.WWWAuthenticate = Challenge;
        await ProblemResponses.WriteAsync(Context, StatusCodes.Status401Unauthorized,
            "sign in with any user name and the admin token (PIXERVE_ADMIN_TOKEN) as the password");
    }

    public static bool HasBasic(HttpRequest request) =>
        request.Headers.Authorization.ToString().StartsWith("Basic ", StringComparison.OrdinalIgnoreCase);

    /// <summary>The password of a well-formed <c>Authorization: Basic</c> header, else null.</summary>
    private static string? Password(HttpRequest request)
    {
        if (!AuthenticationHeaderValue.TryParse(request.Headers.Authorization.ToString(), out var header) ||
            !"Basic".Equals(header.Scheme, StringComparison.OrdinalIgnoreCase) || header.Parameter is null)
            return null;
        try
        {
            var pair = Encoding.UTF8.GetString(Convert.FromBase64String(header.Parameter));
            var colon = pair.IndexOf(':');
            return colon < 0 ? null : pair[(colon + 1)..];
        }
        catch (FormatException)
        {
            return null;
        }
    }
}
