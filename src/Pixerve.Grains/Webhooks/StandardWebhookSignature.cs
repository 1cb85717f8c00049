using System.Security.Cryptography;
using System.Text;

namespace Pixerve.Grains.Webhooks;

/// <summary>
/// Webhook signatures the Standard Webhooks way (standardwebhooks.com): <c>webhook-id</c> (the same for every retry of
/// one message), <c>webhook-timestamp</c> (Unix seconds of this attempt) and <c>webhook-signature</c>:
/// <c>v1,</c> and the base64 HMAC-SHA256 of <c>{id}.{timestamp}.{body}</c>. A receiver refuses a timestamp more than
/// five minutes off, so a captured call cannot be replayed later.
/// </summary>
public static class StandardWebhookSignature
{
    public const string IdHeader = "webhook-id";
    public const string TimestampHeader = "webhook-timestamp";
    public const string SignatureHeader = "webhook-signature";
    private const string SecretPrefix = "whsec_";

    /// <summary>The key of a secret: the base64 after <c>whsec_</c>, else the secret's UTF-8 bytes.</summary>
    public static byte[] KeyOf(string secret) => secret.StartsWith(SecretPrefix, StringComparison.Ordinal)
        ? Convert.FromBase64String(secret[SecretPrefix.Length..])
        : Encoding.UTF8.GetBytes(secret);

    public static string Sign(byte[] key, string id, long timestamp, ReadOnlySpan<byte> body)
    {
        var prefix = Encoding.UTF8.GetBytes($"{id}.{timestamp}.");
        var signed = new byte[prefix.Length + body.Length];
        prefix.CopyTo(signed, 0);
        body.CopyTo(signed.AsSpan(prefix.Length));
        return "v1," + Convert.ToBase64String(HMACSHA256.HashData(key, signed));
    }
}
