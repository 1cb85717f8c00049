using System.Text.RegularExpressions;

namespace Pixerve.Cluster.Postgres;

/// <summary>
/// Keeps a connection string's password out of what Pixerve says: Npgsql's messages about a malformed string may
/// quote the part they choke on, and that part may be the password.
/// </summary>
internal static partial class Redaction
{
    [GeneratedRegex(@"(?:^|;)\s*(?:password|pwd)\s*=\s*(?<value>[^;]*)", RegexOptions.IgnoreCase)]
    private static partial Regex PasswordPart();

    /// <summary><paramref name="text"/> with every password value of <paramref name="connectionString"/> (parsed or not) masked.</summary>
    public static string Redact(string text, string connectionString)
    {
        foreach (Match match in PasswordPart().Matches(connectionString))
        {
            var value = match.Groups["value"].Value.Trim().Trim('\'', '"');
            if (value.Length > 0) text = text.Replace(value, "***", StringComparison.Ordinal);
        }

        return text;
    }
}
