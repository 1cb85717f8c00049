using Orleans.Concurrency;

namespace Pixerve;

/// <summary>
/// The cluster's storage credentials (one activation, key 0): few, small and read far more often than written.
/// Secrets are encrypted with ASP.NET Data Protection before they are persisted.
/// </summary>
[Alias("pixerve.ICredentialStoreGrain")]
public interface ICredentialStoreGrain : IGrainWithIntegerKey
{
    /// <summary>Adds or replaces a credential; true when it is new.</summary>
    [Alias("Put")]
    Task<bool> Put(CredentialDefinition credential);

    [Alias("Delete")]
    Task<bool> Delete(string key);

    [ReadOnly, Alias("List")]
    Task<IReadOnlyList<CredentialSummary>> List();

    [ReadOnly, Alias("Get")]
    Task<CredentialSummary?> Get(string key);

    /// <summary>The credential with its secrets decrypted, for the storage grains; null when unknown.</summary>
    [ReadOnly, Alias("Resolve")]
    Task<CredentialDefinition?> Resolve(string key);
}
