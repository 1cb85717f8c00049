using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.IdentityModel.Tokens;

namespace Pixerve.Testing.Fixtures;

/// <summary>Mints JWTs by hand, so tests can also make the broken ones a hostile client would send.</summary>
public static class TestTokens
{
    public static string Mint(string secret, object job, DateTimeOffset? expires = null, string algorithm = "HS256", bool includeExpiry = true,
        string? subject = null, IReadOnlyDictionary<string, object>? claims = null, IReadOnlyDictionary<string, object>? headers = null,
        bool includeIssuedAt = true)
    {
        var header = new Dictionary<string, object> { ["alg"] = algorithm, ["typ"] = "JWT" };
        foreach (var (name, value) in headers ?? new Dictionary<string, object>()) header[name] = value;
        var payload = new Dictionary<string, object> { ["job"] = job };
        if (includeIssuedAt) payload["iat"] = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        if (subject is not null) payload["sub"] = subject;
        foreach (var (name, value) in claims ?? new Dictionary<string, object>()) payload[name] = value;
        if (includeExpiry) payload["exp"] = (expires ?? DateTimeOffset.UtcNow.AddMinutes(10)).ToUnixTimeSeconds();

        var unsigned = $"{Encode(header)}.{Encode(payload)}";
        if (algorithm == "none") return unsigned + ".";
        var signature = HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), Encoding.UTF8.GetBytes(unsigned));
        return $"{unsigned}.{Base64UrlEncoder.Encode(signature)}";
    }

    /// <summary>
    /// A token over a payload written as raw JSON text, for what a serializer will not write (an unpaired surrogate
    /// escape such as <c>"\ud800"</c>). HS256, signed with <paramref name="secret"/>.
    /// </summary>
    public static string MintPayload(string secret, string payloadJson)
    {
        var unsigned = $"{Encode(new { alg = "HS256", typ = "JWT" })}.{Base64UrlEncoder.Encode(Encoding.UTF8.GetBytes(payloadJson))}";
        var signature = HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), Encoding.UTF8.GetBytes(unsigned));
        return $"{unsigned}.{Base64UrlEncoder.Encode(signature)}";
    }

    private static string Encode(object value) => Base64UrlEncoder.Encode(JsonSerializer.SerializeToUtf8Bytes(value));
}
