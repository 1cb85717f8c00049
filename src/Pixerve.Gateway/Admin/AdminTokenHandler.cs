using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;
using Pixerve.Gateway.Apis;
using Pixerve.Gateway.Auth;

namespace Pixerve.Gateway.Admin;

public sealed class AdminTokenOptions : AuthenticationSchemeOptions
{
    public string? Token { get; set; }
}

/// <summary>Accepts <c>Authorization: Bearer &lt;PIXERVE_ADMIN_TOKEN&gt;</c>, compared in constant time over SHA-256 digests.</summary>
public sealed class AdminTokenHandler(IOptionsMonitor<AdminTokenOptions> options, ILoggerFactory logger, UrlEncoder encoder)
    : AuthenticationHandler<AdminTokenOptions>(options, logger, encoder)
{
    public const string SchemeName = "Admin";

    protected override Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var presented = PixerveAuthentication.BearerToken(Request);
        if (presented is null) return Task.FromResult(AuthenticateResult.NoResult());
        if (!AdminSecrets.Matches(presented, Options.Token))
            return Task.FromResult(AuthenticateResult.Fail("the admin token is not valid"));

        return Task.FromResult(AuthenticateResult.Success(new AuthenticationTicket(AdminCaller.Principal(SchemeName), SchemeName)));
    }

    protected override Task HandleChallengeAsync(AuthenticationProperties properties) =>
        ProblemResponses.WriteAsync(Context, StatusCodes.Status401Unauthorized, "the admin token is not valid");
}
