using Microsoft.Extensions.Logging;
using Pixerve.GrainInterfaces.Credentials;

namespace Pixerve.Grains.Credentials;

[GenerateSerializer, Alias("pixerve.CredentialStoreState")]
public sealed class CredentialStoreState
{
    [Id(0)] public Dictionary<string, StoredCredential> Credentials { get; set; } = new(StringComparer.Ordinal);
}

/// <summary>One credential as persisted: settings in clear, secrets as a Data Protection payload.</summary>
[GenerateSerializer, Alias("pixerve.StoredCredential")]
public sealed class StoredCredential
{
    [Id(0)] public string Type { get; set; } = "";
    [Id(1)] public Dictionary<string, string> Settings { get; set; } = [];
    [Id(2)] public List<string> SecretFields { get; set; } = [];
    [Id(3)] public string ProtectedSecrets { get; set; } = "";
    [Id(4)] public DateTimeOffset UpdatedAt { get; set; }
}

/// <inheritdoc cref="ICredentialStoreGrain"/>
public sealed class CredentialStoreGrain(
    [PersistentState("credentials", GrainStorageNames.Credentials)] IPersistentState<CredentialStoreState> store,
    CredentialProtector protector,
    TimeProvider clock,
    ILogger<CredentialStoreGrain> logger) : Grain, ICredentialStoreGrain
{
    public async Task<bool> Put(CredentialDefinition credential)
    {
        // Encryption may load the key ring from blob storage: keep it off the grain scheduler.
        var secrets = credential.Secrets;
        var protectedSecrets = await Task.Run(() => protector.Protect(secrets));
        var isNew = !store.State.Credentials.ContainsKey(credential.Key);
        store.State.Credentials[credential.Key] = new StoredCredential
        {
            Type = credential.Type,
            Settings = new Dictionary<string, string>(credential.Settings),
            SecretFields = credential.Secrets.Keys.Order(StringComparer.Ordinal).ToList(),
            ProtectedSecrets = protectedSecrets,
            UpdatedAt = clock.GetUtcNow(),
        };
        await store.WriteStateAsync();
        logger.LogInformation("Credential {Key} ({Type}) {Action}", credential.Key, credential.Type, isNew ? "added" : "replaced");
        return isNew;
    }

    public async Task<bool> Delete(string key)
    {
        if (!store.State.Credentials.Remove(key)) return false;
        await store.WriteStateAsync();
        logger.LogInformation("Credential {Key} deleted", key);
        return true;
    }

    public Task<IReadOnlyList<CredentialSummary>> List() =>
        Task.FromResult<IReadOnlyList<CredentialSummary>>(store.State.Credentials
            .OrderBy(c => c.Key, StringComparer.Ordinal)
            .Select(c => Summary(c.Key, c.Value))
            .ToList());

    public Task<CredentialSummary?> Get(string key) =>
        Task.FromResult(store.State.Credentials.TryGetValue(key, out var stored) ? Summary(key, stored) : null);

    // Secrets leave this grain as they are stored: encrypted. The silo that writes decrypts them (ResolvedCredentials).
    public Task<ProtectedCredential?> Resolve(string key) =>
        Task.FromResult(store.State.Credentials.TryGetValue(key, out var stored)
            ? new ProtectedCredential(key, stored.Type, stored.Settings, stored.ProtectedSecrets)
            : null);

    private static CredentialSummary Summary(string key, StoredCredential stored) =>
        new(key, stored.Type, stored.Settings, stored.SecretFields, stored.UpdatedAt);
}
