using Microsoft.IdentityModel.Tokens;

namespace Pixerve.Gateway.Auth;

/// <summary>Turns token validation failures into short sentences a client developer can act on.</summary>
public static class TokenErrors
{
    /// <summary>POST /upload without a token: the only endpoint that also takes one as a form field.</summary>
    public const string Missing = "a job token is required: send 'Authorization: Bearer <token>', or a 'token' form field before the file";

    /// <summary>The resumable uploads (/uploads): the job token on every request, never a form field.</summary>
    public const string MissingForResumable =
        "a job token is required: send it as 'Authorization: Bearer <token>' with every request of the upload (the admin token uploads nothing)";

    /// <summary>A job's endpoints (/status, /cancel, /retry, /success, /failures, /events).</summary>
    public const string MissingForJobs =
        "a job token is required: send the one the job was uploaded with (or the admin token) as 'Authorization: Bearer <token>'";

    /// <summary>An endpoint that names no hint of its own.</summary>
    public const string MissingAny = "a token is required: send it as 'Authorization: Bearer <token>'";

    /// <summary>The 401 detail for a request with no token at all, from the endpoint's <see cref="TokenHint"/>.</summary>
    public static string MissingFor(HttpContext http) => http.GetEndpoint()?.Metadata.GetMetadata<TokenHint>()?.Missing ?? MissingAny;

    /// <param name="missing">What to say when no token came: what this endpoint accepts (<see cref="MissingFor"/>).</param>
    public static string Describe(Exception? failure, string missing = Missing) => failure switch
    {
        null => missing,
        PixerveTokenException rule => rule.Message,
        SecurityTokenExpiredException => "the token has expired",
        SecurityTokenNoExpirationException => "the token has no 'exp' claim; one is required",
        SecurityTokenNotYetValidException => "the token is not valid yet ('nbf')",
        SecurityTokenInvalidAlgorithmException => "the token's algorithm is not accepted; only HS256 is",
        SecurityTokenSignatureKeyNotFoundException or SecurityTokenInvalidSignatureException => "the token's signature is invalid",
        SecurityTokenInvalidIssuerException => "the token's issuer is not accepted",
        SecurityTokenInvalidAudienceException => "the token's audience is not accepted",
        SecurityTokenMalformedException or ArgumentException => "the token is malformed",
        _ => "the token is not valid",
    };
}

/// <summary>Endpoint metadata: what a 401 for a missing token tells the caller to send, as that endpoint accepts it.</summary>
public sealed record TokenHint(string Missing);

public static class TokenHintExtensions
{
    public static TBuilder WithTokenHint<TBuilder>(this TBuilder builder, string missing) where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(new TokenHint(missing));
}
