using System.Globalization;

namespace Pixerve.Grains.Credentials;

/// <summary>Typed reads of a validated credential's fields (the gateway validated them when they were posted).</summary>
public static class CredentialSettings
{
    public static string Required(this CredentialDefinition credential, string field) =>
        credential.Optional(field) ?? throw new InvalidOperationException($"credential '{credential.Key}' has no {field}");

    public static string? Optional(this CredentialDefinition credential, string field) =>
        credential.Settings.TryGetValue(field, out var value) && value.Length > 0 ? value
        : credential.Secrets.TryGetValue(field, out var secret) && secret.Length > 0 ? secret
        : null;

    public static bool Flag(this CredentialDefinition credential, string field) =>
        credential.Optional(field) is { } value && bool.Parse(value);

    public static int Int(this CredentialDefinition credential, string field, int fallback) =>
        credential.Optional(field) is { } value ? int.Parse(value, CultureInfo.InvariantCulture) : fallback;

    /// <summary>A prefix without surrounding slashes joined to a relative path.</summary>
    public static string Join(string? prefix, string relative)
    {
        var clean = (prefix ?? "").Trim('/');
        return clean.Length == 0 ? relative : $"{clean}/{relative}";
    }
}
