using Azure.Storage.Blobs;
using Pixerve.Staging;
using Pixerve.Staging.AzureBlob;
using Pixerve.Testing;

namespace Pixerve.Gateway.Tests.StagingStores;

/// <summary>The staging contract on Azure Blob Storage (Azurite).</summary>
[Collection(StagingStoreCollection.Name)]
public sealed class AzureBlobStagingStoreTests : StagingStoreContract
{
    private AzuriteServer? _azurite;

    protected override IStagingStore AnotherInstance() => new AzureBlobStagingStore(new BlobServiceClient(_azurite!.ConnectionString));

    protected override async Task<IStagingStore> StartAsync()
    {
        _azurite = await AzuriteServer.StartAsync();
        return AnotherInstance();
    }

    protected override async Task StopAsync()
    {
        if (_azurite is not null) await _azurite.DisposeAsync();
    }
}
