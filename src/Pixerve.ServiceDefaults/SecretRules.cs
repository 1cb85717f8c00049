using System.Text;

namespace Pixerve.ServiceDefaults;

/// <summary>
/// What a shared secret (JWT secret, admin token, webhook secret) must be before a process starts with it: at least
/// 32 bytes, and not a value anybody else has seen. A manifest's or a guide's placeholder that passed the length
/// check opened a deployment to whoever read the same guide.
/// </summary>
public static class SecretRules
{
    public const int MinimumBytes = 32;

    /// <summary>Words that mark a value as written to be replaced, not generated.</summary>
    private static readonly string[] PlaceholderWords = ["replace", "changeme", "change-me", "change_me", "placeholder", "your-", "example", "secret-here", "xxxxxxxx"];

    /// <summary>Why <paramref name="value"/> must not be used as a secret; null when it may.</summary>
    public static string? Problem(string? value)
    {
        if (string.IsNullOrEmpty(value)) return "is not set";
        if (Encoding.UTF8.GetByteCount(value) < MinimumBytes) return $"is shorter than {MinimumBytes} bytes: generate one, e.g. `openssl rand -base64 32`";
        if (PlaceholderWords.FirstOrDefault(w => value.Contains(w, StringComparison.OrdinalIgnoreCase)) is { } word)
            return $"looks like a placeholder (it contains '{word}'): generate one, e.g. `openssl rand -base64 32`";
        // 32 bytes of a generator have far more than 8 distinct characters in any encoding.
        if (value.Distinct().Count() < 8) return "repeats too few characters to be random: generate one, e.g. `openssl rand -base64 32`";
        return null;
    }
}
