namespace Pixerve.Storage;

public static class StoragePaths
{
    /// <summary>A prefix without surrounding slashes joined to a relative path.</summary>
    public static string Join(string? prefix, string relative)
    {
        var clean = (prefix ?? "").Trim('/');
        return clean.Length == 0 ? relative : $"{clean}/{relative}";
    }
}
