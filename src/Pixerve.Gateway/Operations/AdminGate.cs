using Pixerve.Gateway.Auth;

namespace Pixerve.Gateway.Operations;

/// <summary>
/// Guards what a browser opens (the dashboard, the jobs page) and the API the page calls: the admin token as
/// a bearer token or as the password of HTTP Basic. Without credentials the answer is 401 with a Basic
/// challenge so the browser asks for them; a job token is 403; with no admin token configured, always 403.
/// </summary>
public static class AdminGate
{
    public static TBuilder RequireAdminForBrowsers<TBuilder>(this TBuilder builder, IConfiguration configuration)
        where TBuilder : IEndpointConventionBuilder
    {
        var adminToken = configuration["Pixerve:AdminToken"];
        return builder.AddEndpointFilter(async (context, next) => Refusal(context.HttpContext, adminToken) ?? await next(context));
    }

    private static IResult? Refusal(HttpContext http, string? adminToken)
    {
        if (string.IsNullOrEmpty(adminToken))
            return Results.Problem(statusCode: StatusCodes.Status403Forbidden,
                detail: "admin pages are off: no admin token is configured (PIXERVE_ADMIN_TOKEN)");
        if (http.User.Identity?.IsAuthenticated != true)
        {
            http.Response.Headers.WWWAuthenticate = AdminBasicHandler.Challenge;
            return Results.Problem(statusCode: StatusCodes.Status401Unauthorized,
                detail: "sign in with any user name and the admin token (PIXERVE_ADMIN_TOKEN) as the password");
        }

        if (!http.User.IsInRole(AdminTokenHandler.Role))
            return Results.Problem(statusCode: StatusCodes.Status403Forbidden, detail: "this page needs the admin token; job tokens do not grant it");
        return null;
    }
}
