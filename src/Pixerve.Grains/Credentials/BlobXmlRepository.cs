using System.Xml.Linq;
using Azure.Storage.Blobs;
using Microsoft.AspNetCore.DataProtection.Repositories;

namespace Pixerve.Grains.Credentials;

/// <summary>
/// Keeps the Data Protection key ring in a blob container of the cluster's storage account, so every silo
/// reads the same keys and can decrypt what another silo encrypted. The interface is synchronous; the key ring
/// is read rarely (at start and when keys roll) and callers run it off the grain scheduler.
/// </summary>
public sealed class BlobXmlRepository(BlobServiceClient blobs) : IXmlRepository
{
    public const string Container = "pixerve-keys";
    private const string Folder = "data-protection/";

    private BlobContainerClient ContainerClient()
    {
        var container = blobs.GetBlobContainerClient(Container);
        container.CreateIfNotExists();
        return container;
    }

    public IReadOnlyCollection<XElement> GetAllElements()
    {
        var container = ContainerClient();
        var elements = new List<XElement>();
        foreach (var item in container.GetBlobs(Azure.Storage.Blobs.Models.BlobTraits.None, Azure.Storage.Blobs.Models.BlobStates.None, Folder, CancellationToken.None))
        {
            var content = container.GetBlobClient(item.Name).DownloadContent().Value.Content;
            elements.Add(XElement.Parse(content.ToString()));
        }

        return elements;
    }

    public void StoreElement(XElement element, string friendlyName)
    {
        var name = string.IsNullOrWhiteSpace(friendlyName) ? Guid.NewGuid().ToString("N") : friendlyName;
        ContainerClient().GetBlobClient($"{Folder}{name}.xml")
            .Upload(BinaryData.FromString(element.ToString(SaveOptions.DisableFormatting)), overwrite: true);
    }
}
