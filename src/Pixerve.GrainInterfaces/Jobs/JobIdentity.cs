using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace Pixerve.GrainInterfaces.Jobs;

/// <summary>
/// A job is (content, owner, requested work): its id is the lowercase hex SHA-256 of
/// <c>hash + "\n" + sub + "\n" + canonical(job claim)</c>. The same bytes with the same claim from the same subject
/// are one job; another subject's upload, or any other claim, is a job of its own. The form is unambiguous: the
/// hash has a fixed length and a canonical claim holds no raw line feed, so the last one ends the subject.
/// </summary>
public static class JobIdentity
{
    /// <param name="subject">The token's <c>sub</c> claim; a token without one has the empty subject.</param>
    /// <exception cref="JsonException">The claim is not JSON, or holds a string that is not valid UTF-16.</exception>
    public static string Compute(string hash, string subject, string claimJson)
    {
        var canonical = Canonicalize(claimJson);
        if (!IsValidText(subject)) throw new JsonException("the token's 'sub' holds an unpaired UTF-16 surrogate");
        var bytes = Encoding.UTF8.GetBytes(hash + "\n" + subject + "\n" + canonical);
        return Convert.ToHexStringLower(SHA256.HashData(bytes));
    }

    /// <summary>False for text with an unpaired UTF-16 surrogate, which has no UTF-8 form and so no canonical one.</summary>
    public static bool IsValidText(string value)
    {
        for (var i = 0; i < value.Length; i++)
        {
            if (char.IsHighSurrogate(value[i]) && i + 1 < value.Length && char.IsLowSurrogate(value[i + 1])) i++;
            else if (char.IsSurrogate(value[i])) return false;
        }

        return true;
    }

    /// <summary>64 lowercase hex characters: the form of both a content hash and a job id.</summary>
    public static bool IsId(string? value) =>
        value is { Length: 64 } && value.All(c => char.IsAsciiDigit(c) || c is >= 'a' and <= 'f');

    /// <summary>
    /// Object keys sorted (ordinal) at every level, no insignificant whitespace, numbers exactly as written,
    /// strings re-escaped minimally (<c>"</c>, <c>\</c> and control characters only), so a client in any
    /// language can compute the same id. Throws <see cref="JsonException"/> for text that is not JSON, and for a
    /// string or key escaping an unpaired UTF-16 surrogate (<c>"\ud800"</c>), which no UTF-8 text can carry.
    /// </summary>
    public static string Canonicalize(string json)
    {
        using var document = JsonDocument.Parse(json);
        var output = new StringBuilder(json.Length);
        try
        {
            Write(document.RootElement, output);
        }
        catch (InvalidOperationException e)
        {
            // System.Text.Json refuses to unescape an unpaired surrogate when the string is read.
            throw new JsonException("the claim holds a string that is not valid UTF-16 (an unpaired surrogate)", e);
        }

        return output.ToString();
    }

    private static void Write(JsonElement element, StringBuilder output)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                output.Append('{');
                var first = true;
                foreach (var property in element.EnumerateObject().OrderBy(p => p.Name, StringComparer.Ordinal))
                {
                    if (!first) output.Append(',');
                    first = false;
                    WriteString(property.Name, output);
                    output.Append(':');
                    Write(property.Value, output);
                }

                output.Append('}');
                break;
            case JsonValueKind.Array:
                output.Append('[');
                var index = 0;
                foreach (var item in element.EnumerateArray())
                {
                    if (index++ > 0) output.Append(',');
                    Write(item, output);
                }

                output.Append(']');
                break;
            case JsonValueKind.String:
                WriteString(element.GetString()!, output);
                break;
            default:
                // Numbers as written; true, false and null have one spelling.
                output.Append(element.GetRawText());
                break;
        }
    }

    private static void WriteString(string value, StringBuilder output)
    {
        output.Append('"');
        foreach (var c in value)
        {
            switch (c)
            {
                case '"': output.Append("\\\""); break;
                case '\\': output.Append("\\\\"); break;
                case '\b': output.Append("\\b"); break;
                case '\f': output.Append("\\f"); break;
                case '\n': output.Append("\\n"); break;
                case '\r': output.Append("\\r"); break;
                case '\t': output.Append("\\t"); break;
                default:
                    if (c < 0x20) output.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
                    else output.Append(c);
                    break;
            }
        }

        output.Append('"');
    }
}
