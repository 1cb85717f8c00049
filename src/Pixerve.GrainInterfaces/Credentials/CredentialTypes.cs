namespace Pixerve.GrainInterfaces.Credentials;

public static class CredentialTypes
{
    public static string ToWire(this CredentialType type) => type.ToString().ToLowerInvariant();

    public static bool TryParse(string? value, out CredentialType type)
    {
        type = default;
        return value is "s3" or "gcs" or "sftp" or "direct" && Enum.TryParse(value, ignoreCase: true, out type);
    }
}
