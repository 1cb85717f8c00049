namespace Pixerve.GrainInterfaces.Credentials;

/// <summary>
/// A stored credential as it travels between silos: settings in clear, secrets still the Data Protection payload
/// they are persisted as. Only the silo that writes with it decrypts them, with the cluster's shared key ring.
/// </summary>
[GenerateSerializer, Alias("pixerve.ProtectedCredential"), Immutable]
public sealed record ProtectedCredential(
    [property: Id(0)] string Key,
    [property: Id(1)] string Type,
    [property: Id(2)] IReadOnlyDictionary<string, string> Settings,
    [property: Id(3)] string ProtectedSecrets);
