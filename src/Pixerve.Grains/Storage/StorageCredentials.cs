using Pixerve.GrainInterfaces.Credentials;
using Pixerve.Storage;


namespace Pixerve.Grains.Storage;

public static class StorageCredentials
{
    /// <summary>
    /// The credential as the storage layer reads it: one map of fields. A non-empty setting wins over a secret of the
    /// same name, as the schema never gives a field both.
    /// </summary>
    public static StorageCredential ForStorage(this CredentialDefinition credential)
    {
        var fields = new Dictionary<string, string>(credential.Secrets, StringComparer.Ordinal);
        foreach (var (name, value) in credential.Settings)
        {
            if (value.Length > 0) fields[name] = value;
        }

        return new StorageCredential(credential.Key, credential.Type, fields);
    }
}
