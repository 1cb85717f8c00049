using System.Text.Json;
using Microsoft.AspNetCore.DataProtection;

namespace Pixerve.Grains.Credentials;

/// <summary>Encrypts credential secrets with ASP.NET Data Protection; the key ring is shared by every silo.</summary>
public sealed class CredentialProtector(IDataProtectionProvider provider)
{
    private const string Purpose = "Pixerve.Credentials.Secrets.v1";
    private readonly IDataProtector _protector = provider.CreateProtector(Purpose);

    public string Protect(IReadOnlyDictionary<string, string> secrets) =>
        _protector.Protect(JsonSerializer.Serialize(secrets));

    public IReadOnlyDictionary<string, string> Unprotect(string payload) =>
        payload.Length == 0
            ? new Dictionary<string, string>()
            : JsonSerializer.Deserialize<Dictionary<string, string>>(_protector.Unprotect(payload)) ?? [];
}
