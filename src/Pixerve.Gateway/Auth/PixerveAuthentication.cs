using System.Text;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Authorization;
using Microsoft.IdentityModel.Tokens;
using Pixerve.Gateway.Admin;
using Pixerve.Gateway.Apis;
using Pixerve.ServiceDefaults;

namespace Pixerve.Gateway.Auth;

public static class PixerveAuthentication
{
    /// <summary>Forwards to the JWT scheme for job tokens and to the admin scheme for the opaque admin token.</summary>
    public const string Scheme = "Pixerve";

    public static IServiceCollection AddPixerveAuthentication(this IServiceCollection services, IConfiguration configuration)
    {
        var jwt = configuration.GetValidated<JwtOptions>(JwtOptions.Section);
        if (SecretRules.Problem(jwt.Secret) is { } problem)
            throw new InvalidOperationException(
                $"Pixerve:Jwt:Secret (PIXERVE_JWT_SECRET) {problem}; the gateway will not start without a usable one.");

        services.AddAuthentication(Scheme)
            .AddPolicyScheme(Scheme, "Job token or admin token", o => o.ForwardDefaultSelector = context =>
                AdminBasicHandler.HasBasic(context.Request) ? AdminBasicHandler.SchemeName
                : BearerToken(context.Request) is { } token && token.Count(c => c == '.') != 2
                    ? AdminTokenHandler.SchemeName
                    : JwtBearerDefaults.AuthenticationScheme)
            .AddJwtBearer(o =>
            {
                o.MapInboundClaims = false;
                o.TokenValidationParameters = ValidationParameters(jwt);
                o.Events = new JwtBearerEvents
                {
                    OnChallenge = async context =>
                    {
                        context.HandleResponse();
                        context.Response.Headers.WWWAuthenticate = "Bearer";
                        await ProblemResponses.WriteAsync(context.HttpContext, StatusCodes.Status401Unauthorized,
                            TokenErrors.Describe(context.AuthenticateFailure, TokenErrors.MissingFor(context.HttpContext)));
                    },
                };
            })
            .AddScheme<AdminTokenOptions, AdminTokenHandler>(AdminTokenHandler.SchemeName,
                o => o.Token = configuration.AdminToken())
            .AddScheme<AdminTokenOptions, AdminBasicHandler>(AdminBasicHandler.SchemeName,
                o => o.Token = configuration.AdminToken());
        // Job endpoints need any valid token; admin endpoints the "admin" policy, whose refusals say what to send.
        services.AddAuthorizationBuilder().AddAdminPolicy();
        services.AddSingleton<IAuthorizationMiddlewareResultHandler, AdminRefusals>();
        return services;
    }

    /// <summary>
    /// HS256 only, <c>exp</c> required as a number, lifetime at most <see cref="JwtOptions.MaxLifetime"/>, no
    /// <c>crit</c> header, 30 s of clock skew; issuer and audience checked when configured.
    /// </summary>
    public static TokenValidationParameters ValidationParameters(JwtOptions jwt) => new()
    {
        LifetimeValidator = (notBefore, expires, token, parameters) =>
        {
            TokenRules.Check(token, jwt.MaxLifetime, DateTimeOffset.UtcNow, parameters.ClockSkew);
            Validators.ValidateLifetime(notBefore, expires, token, CopyWithoutLifetimeValidator(parameters));
            return true;
        },
        IssuerSigningKey = new SymmetricSecurityKey(Encoding.UTF8.GetBytes(jwt.Secret)),
        ValidAlgorithms = [SecurityAlgorithms.HmacSha256],
        RequireSignedTokens = true,
        RequireExpirationTime = true,
        ValidateLifetime = true,
        ClockSkew = TimeSpan.FromSeconds(30),
        ValidateIssuer = !string.IsNullOrEmpty(jwt.Issuer),
        ValidIssuer = jwt.Issuer,
        ValidateAudience = !string.IsNullOrEmpty(jwt.Audience),
        ValidAudience = jwt.Audience,
    };

    private static TokenValidationParameters CopyWithoutLifetimeValidator(TokenValidationParameters parameters)
    {
        var copy = parameters.Clone();
        copy.LifetimeValidator = null;
        return copy;
    }

    public static string? BearerToken(HttpRequest request)
    {
        var header = request.Headers.Authorization.ToString();
        return header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) ? header["Bearer ".Length..].Trim() : null;
    }
}
