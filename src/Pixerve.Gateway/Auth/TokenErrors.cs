using Microsoft.IdentityModel.Tokens;

namespace Pixerve.Gateway.Auth;

/// <summary>Turns token validation failures into short sentences a client developer can act on.</summary>
public static class TokenErrors
{
    public const string Missing = "a job token is required: send 'Authorization: Bearer <token>', or a 'token' form field before the file";

    public static string Describe(Exception? failure) => failure switch
    {
        null => Missing,
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
