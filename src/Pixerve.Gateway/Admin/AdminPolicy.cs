using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Authorization.Policy;
using Microsoft.Extensions.Options;
using Pixerve.Gateway.Apis;
using Pixerve.ServiceDefaults;

namespace Pixerve.Gateway.Admin;

/// <summary>
/// The one guard of every admin endpoint (record lists, credentials, stats, the dashboard and the jobs page): the
/// "admin" authorization policy, met by the admin token as a bearer token or as the password of HTTP Basic (what
/// a browser can send).
/// </summary>
public static class AdminPolicy
{
    public const string Name = "admin";

    public static TBuilder RequireAdmin<TBuilder>(this TBuilder builder) where TBuilder : IEndpointConventionBuilder =>
        builder.RequireAuthorization(Name);

    public static AuthorizationBuilder AddAdminPolicy(this AuthorizationBuilder authorization) =>
        authorization.AddPolicy(Name, policy => policy.RequireAuthenticatedUser().RequireAssertion(context => context.User.IsAdmin()));
}

/// <summary>
/// Answers a refused admin request with a problem that says what to send: 401 with a Basic challenge without valid
/// credentials (so a browser asks for them), 403 for a job token, and 403 always when no admin token is configured.
/// Every other refusal goes the default way.
/// </summary>
public sealed class AdminRefusals(IOptions<PixerveOptions> pixerve) : IAuthorizationMiddlewareResultHandler
{
    private readonly AuthorizationMiddlewareResultHandler _default = new();

    public async Task HandleAsync(RequestDelegate next, HttpContext context, AuthorizationPolicy policy, PolicyAuthorizationResult result)
    {
        var admin = context.GetEndpoint()?.Metadata.GetOrderedMetadata<IAuthorizeData>().Any(a => a.Policy == AdminPolicy.Name) == true;
        if (result.Succeeded || !admin)
        {
            await _default.HandleAsync(next, context, policy, result);
            return;
        }

        if (string.IsNullOrEmpty(pixerve.Value.AdminToken))
        {
            await ProblemResponses.WriteAsync(context, StatusCodes.Status403Forbidden,
                "admin endpoints are off: no admin token is configured (PIXERVE_ADMIN_TOKEN)");
        }
        else if (context.User.Identity?.IsAuthenticated != true)
        {
            context.Response.Headers.WWWAuthenticate = AdminBasicHandler.Challenge;
            await ProblemResponses.WriteAsync(context, StatusCodes.Status401Unauthorized,
                "send the admin token (PIXERVE_ADMIN_TOKEN) as 'Authorization: Bearer', or as the password of HTTP Basic");
        }
        else
        {
            await ProblemResponses.WriteAsync(context, StatusCodes.Status403Forbidden, "this needs the admin token; job tokens do not grant it");
        }
    }
}
