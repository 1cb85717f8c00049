using System.Xml.Linq;
using Microsoft.AspNetCore.DataProtection.Repositories;
using Pixerve.Staging;

namespace Pixerve.Grains.Credentials;

/// <summary>
/// Keeps the Data Protection key ring in the staging store's key folder (<see cref="IStagingStore.KeyRing"/>), so every
/// silo reads the same keys and can decrypt what another silo encrypted. The interface is synchronous; the key ring
/// is read rarely (at start and when keys roll) and callers run it off the grain scheduler.
/// </summary>
public sealed class StagingXmlRepository(IKeyRingFolder folder) : IXmlRepository
{
    public IReadOnlyCollection<XElement> GetAllElements() => folder.ReadAll().Select(XElement.Parse).ToList();

    public void StoreElement(XElement element, string friendlyName)
    {
        var name = string.IsNullOrWhiteSpace(friendlyName) ? Guid.NewGuid().ToString("N") : friendlyName;
        folder.Store(name, element.ToString(SaveOptions.DisableFormatting));
    }
}
