using Orleans.Concurrency;

namespace Pixerve.GrainInterfaces.Credentials;

/// <summary>
/// The cluster's storage credentials (one activation, key 0): few, small and read far more often than written.
/// Secrets are encrypted with ASP.NET Data Protection before they are persisted.
/// </summary>
[Alias("pixerve.ICredentialStoreGrain")]
public interface ICredentialStoreGrain : IGrainWithIntegerKey
{
    /// <summary>Adds or replaces a credential; true when it is new.</summary>
    [CallableFromGateway, Alias("Put")]
    Task<bool> Put(CredentialDefinition credential);

    [CallableFromGateway, Alias("Delete")]
    Task<bool> Delete(string key);

    [ReadOnly, CallableFromGateway, Alias("List")]
    Task<IReadOnlyList<CredentialSummary>> List();

    [ReadOnly, CallableFromGateway, Alias("Get")]
    Task<CredentialSummary?> Get(string key);

    /// <summary>
    /// The credential for the storage grains, its secrets still encrypted (they decrypt at use); null when unknown.
    /// Never callable from outside the cluster's silos.
    /// </summary>
    [ReadOnly, Alias("Resolve")]
    Task<ProtectedCredential?> Resolve(string key);
}
