namespace Pixerve.Gateway.Auth;

/// <summary>
/// The one guard of every admin endpoint (records lists, credentials, stats, the dashboard and the jobs page):
/// the admin token as a bearer token or as the password of HTTP Basic, which is what a browser can send.
/// Without valid credentials the answer is 401 with a Basic challenge, so a browser asks for them; a job token
/// is 403; with no admin token configured, always 403.
/// </summary>
public static class AdminGate
{
    public static TBuilder RequireAdmin<TBuilder>(this TBuilder builder, IConfiguration configuration)
        where TBuilder : IEndpointConventionBuilder
    {
        var adminToken = configuration.AdminToken();
        return builder.AddEndpointFilter(async (context, next) => Refusal(context.HttpContext, adminToken) ?? await next(context));
    }

    private static IResult? Refusal(HttpContext http, string? adminToken)
    {
        if (string.IsNullOrEmpty(adminToken))
            return Results.Problem(statusCode: StatusCodes.Status403Forbidden,
                detail: "admin endpoints are off: no admin token is configured (PIXERVE_ADMIN_TOKEN)");
        if (http.User.Identity?.IsAuthenticated != true)
        {
            http.Response.Headers.WWWAuthenticate = AdminBasicHandler.Challenge;
            return Results.Problem(statusCode: StatusCodes.Status401Unauthorized,
                detail: "send the admin token (PIXERVE_ADMIN_TOKEN) as 'Authorization: Bearer', or as the password of HTTP Basic");
        }

        if (!http.User.IsInRole(AdminTokenHandler.Role))
            return Results.Problem(statusCode: StatusCodes.Status403Forbidden, detail: "this needs the admin token; job tokens do not grant it");
        return null;
    }
}
