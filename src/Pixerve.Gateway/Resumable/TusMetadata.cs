using System.Text;

namespace Pixerve.Gateway.Resumable;

/// <summary>The tus <c>Upload-Metadata</c> header: comma-separated <c>key base64value</c> pairs.</summary>
public static class TusMetadata
{
    public const int MaxLength = 4096;

    /// <summary>Null when the header is acceptable (and storable as blob metadata), else why not.</summary>
    public static string? Problem(string? header)
    {
        if (string.IsNullOrEmpty(header)) return null;
        if (header.Length > MaxLength) return $"Upload-Metadata is longer than {MaxLength} characters";
        foreach (var pair in header.Split(','))
        {
            var parts = pair.Trim().Split(' ');
            if (parts.Length is < 1 or > 2 || parts[0].Length == 0 || !parts[0].All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '-' or '.'))
                return "Upload-Metadata must be comma-separated 'key base64value' pairs with ASCII keys";
            if (parts.Length == 2 && !IsBase64(parts[1])) return $"Upload-Metadata's value of '{parts[0]}' is not base64";
        }

        return null;
    }

    /// <summary>The UTF-8 text of <paramref name="key"/>'s value; null when absent or not text.</summary>
    public static string? Value(string? header, string key)
    {
        if (string.IsNullOrEmpty(header)) return null;
        foreach (var pair in header.Split(','))
        {
            var parts = pair.Trim().Split(' ');
            if (parts.Length != 2 || parts[0] != key) continue;
            try
            {
                return new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(Convert.FromBase64String(parts[1]));
            }
            catch (Exception e) when (e is FormatException or ArgumentException)
            {
                return null;
            }
        }

        return null;
    }

    private static bool IsBase64(string value) =>
        value.All(c => char.IsAsciiLetterOrDigit(c) || c is '+' or '/' or '=') && Convert.TryFromBase64String(value, new byte[value.Length], out _);
}
