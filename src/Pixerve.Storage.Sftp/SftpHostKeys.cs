namespace Pixerve.Storage.Sftp;

public static class SftpHostKeys
{
    /// <summary>Whether a pinned fingerprint (<c>SHA256:…</c>, <c>MD5:</c> hex pairs, or either bare) names the server's key.</summary>
    public static bool Matches(string pinned, string sha256, string md5)
    {
        var value = pinned.Trim();
        if (value.StartsWith("SHA256:", StringComparison.OrdinalIgnoreCase))
            return string.Equals(value["SHA256:".Length..].TrimEnd('='), sha256.TrimEnd('='), StringComparison.Ordinal);
        if (value.StartsWith("MD5:", StringComparison.OrdinalIgnoreCase)) value = value["MD5:".Length..];
        return string.Equals(value.Replace(":", ""), md5.Replace(":", ""), StringComparison.OrdinalIgnoreCase)
               || string.Equals(value.TrimEnd('='), sha256.TrimEnd('='), StringComparison.Ordinal);
    }
}
