using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;

namespace Pixerve.Staging.AzureBlob;

/// <summary>The key ring as blobs <c>data-protection/{name}.xml</c> in the container <c>pixerve-keys</c>.</summary>
internal sealed class AzureBlobKeyRingFolder(BlobContainerClient container) : IKeyRingFolder
{
    private const string Folder = "data-protection/";

    public IReadOnlyList<string> ReadAll()
    {
        container.CreateIfNotExists();
        var elements = new List<string>();
        foreach (var item in container.GetBlobs(BlobTraits.None, BlobStates.None, Folder, CancellationToken.None))
            elements.Add(container.GetBlobClient(item.Name).DownloadContent().Value.Content.ToString());
        return elements;
    }

    public void Store(string name, string content)
    {
        container.CreateIfNotExists();
        container.GetBlobClient($"{Folder}{name}.xml").Upload(BinaryData.FromString(content), overwrite: true);
    }
}
