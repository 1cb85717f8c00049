using Pixerve.GrainInterfaces.Credentials;
using Pixerve.GrainInterfaces.Jobs;

namespace Pixerve.Gateway.Upload;

/// <summary>Checks a parsed spec's <c>storageKeys</c> against the credential store, before any byte is staged.</summary>
public static class StorageKeyCheck
{
    /// <exception cref="JobSpecException">A key is unknown or of another backend's type, naming <c>storageKeys.&lt;backend&gt;</c>.</exception>
    public static async Task EnsureKnownAsync(IGrainFactory grains, JobSpec spec)
    {
        if (spec.StorageKeys.Count == 0) return;
        var store = grains.GetGrain<ICredentialStoreGrain>(0);
        foreach (var (backend, key) in spec.StorageKeys)
        {
            var credential = await store.Get(key);
            if (credential is null)
                throw new JobSpecException($"storageKeys.{backend}", $"no credential named '{key}'");
            if (credential.Type != backend)
                throw new JobSpecException($"storageKeys.{backend}", $"credential '{key}' is for {credential.Type}, not {backend}");
        }
    }
}
