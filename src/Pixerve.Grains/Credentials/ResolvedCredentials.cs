using System.Collections.Concurrent;
using Pixerve.GrainInterfaces.Credentials;

namespace Pixerve.Grains.Credentials;

/// <summary>
/// Decrypts a credential where it is used, on the silo that writes with it, and keeps the result for this silo only,
/// keyed by the encrypted payload: a replaced credential has another payload, so it is decrypted anew.
/// </summary>
public sealed class ResolvedCredentials(CredentialProtector protector)
{
    private readonly ConcurrentDictionary<(string Key, string Payload), CredentialDefinition> _decrypted = new();

    public async Task<CredentialDefinition> DecryptAsync(ProtectedCredential credential)
    {
        var id = (credential.Key, credential.ProtectedSecrets);
        if (_decrypted.TryGetValue(id, out var cached)) return cached;
        // Decryption may load the key ring from blob storage: keep it off the grain scheduler.
        var secrets = await Task.Run(() => protector.Unprotect(credential.ProtectedSecrets));
        var resolved = new CredentialDefinition(credential.Key, credential.Type, credential.Settings, secrets);
        // Entries of replaced credentials are dropped so the cache holds one per key.
        foreach (var stale in _decrypted.Keys.Where(k => k.Key == credential.Key && k.Payload != credential.ProtectedSecrets))
            _decrypted.TryRemove(stale, out _);
        _decrypted[id] = resolved;
        return resolved;
    }
}
