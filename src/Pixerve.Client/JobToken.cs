using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;

namespace Pixerve.Client;

/// <summary>Mints the HS256 JWT whose <c>job</c> claim tells Pixerve what to produce.</summary>
public static class JobToken
{
    /// <summary>The gateway refuses secrets shorter than this, so a shorter one could never verify.</summary>
    public const int MinSecretBytes = 32;

    /// <param name="secret">The gateway's <c>PIXERVE_JWT_SECRET</c>.</param>
    /// <param name="job">The <c>job</c> claim, e.g. from <see cref="JobSpecBuilder.Build"/>.</param>
    /// <param name="lifetime">How long the token is valid (<c>exp</c> is required by the gateway).</param>
    /// <param name="issuer">Sets <c>iss</c>, for gateways configured with <c>Pixerve:Jwt:Issuer</c>.</param>
    /// <param name="audience">Sets <c>aud</c>, for gateways configured with <c>Pixerve:Jwt:Audience</c>.</param>
    /// <param name="now">The issue time; the clock by default.</param>
    public static string Mint(string secret, JsonObject job, TimeSpan lifetime, string? issuer = null, string? audience = null,
        DateTimeOffset? now = null)
    {
        ArgumentNullException.ThrowIfNull(secret);
        ArgumentNullException.ThrowIfNull(job);
        var key = Encoding.UTF8.GetBytes(secret);
        if (key.Length < MinSecretBytes)
            throw new ArgumentException($"the secret must be at least {MinSecretBytes} bytes", nameof(secret));
        if (lifetime <= TimeSpan.Zero) throw new ArgumentOutOfRangeException(nameof(lifetime), "the token must outlive its minting");

        var issuedAt = (now ?? DateTimeOffset.UtcNow).ToUnixTimeSeconds();
        var payload = new JsonObject
        {
            ["job"] = job.DeepClone(),
            ["iat"] = issuedAt,
            ["nbf"] = issuedAt,
            ["exp"] = issuedAt + (long)Math.Ceiling(lifetime.TotalSeconds),
        };
        if (issuer is not null) payload["iss"] = issuer;
        if (audience is not null) payload["aud"] = audience;

        var unsigned = $"{Encode(new JsonObject { ["alg"] = "HS256", ["typ"] = "JWT" })}.{Encode(payload)}";
        var signature = HMACSHA256.HashData(key, Encoding.ASCII.GetBytes(unsigned));
        return $"{unsigned}.{Base64Url(signature)}";
    }

    private static string Encode(JsonNode node) => Base64Url(Encoding.UTF8.GetBytes(node.ToJsonString()));

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
