using System.Text.Json;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Pixerve.Gateway.Auth;

/// <summary>A token refused by a Pixerve rule the JWT library does not enforce; its message is the 401's detail.</summary>
public sealed class PixerveTokenException(string message) : SecurityTokenValidationException(message);

/// <summary>
/// Rules on top of signature and expiry: the numeric date claims must be JSON numbers (the library also
/// takes <c>"exp": "2000000000"</c>), no <c>crit</c> header (Pixerve understands no JWS extension, so
/// RFC 7515 says to refuse any), no <c>iat</c> in the future, and a lifetime no longer than the configured maximum,
/// counted both from <c>iat</c> and from now: a token's own <c>iat</c> is the minter's word, so it can only shorten
/// what the token may live, never lengthen it.
/// </summary>
public static class TokenRules
{
    public static void Check(SecurityToken token, TimeSpan maxLifetime, DateTimeOffset now, TimeSpan clockSkew)
    {
        if (token is not JsonWebToken jwt) throw new PixerveTokenException("the token is malformed");
        if (jwt.TryGetHeaderValue<object>("crit", out _))
            throw new PixerveTokenException("the token has a 'crit' header naming extensions Pixerve does not understand");

        using var payload = JsonDocument.Parse(Base64UrlEncoder.DecodeBytes(jwt.EncodedPayload));
        if (payload.RootElement.ValueKind != JsonValueKind.Object) throw new PixerveTokenException("the token is malformed");
        double? Number(string claim)
        {
            if (!payload.RootElement.TryGetProperty(claim, out var value)) return null;
            if (value.ValueKind != JsonValueKind.Number || !value.TryGetDouble(out var seconds))
                throw new PixerveTokenException($"the token's '{claim}' claim must be a number of seconds since 1970");
            return seconds;
        }

        var exp = Number("exp") ?? throw new SecurityTokenNoExpirationException("no exp");
        Number("nbf");
        var iat = Number("iat");
        var nowSeconds = now.ToUnixTimeSeconds();
        if (iat > nowSeconds + clockSkew.TotalSeconds)
            throw new PixerveTokenException("the token's 'iat' is in the future: it claims to be issued later than now");
        if (exp - nowSeconds > maxLifetime.TotalSeconds)
            throw new PixerveTokenException($"the token lives longer than the {maxLifetime.TotalHours:0.##} h allowed ('exp' − now)");
        if (iat is not null && exp - iat > maxLifetime.TotalSeconds)
            throw new PixerveTokenException($"the token lives longer than the {maxLifetime.TotalHours:0.##} h allowed ('exp' − 'iat')");
    }
}
