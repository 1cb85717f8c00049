using Azure.Storage.Blobs;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Pixerve.Staging.AzureBlob;

/// <summary><c>Pixerve:Staging:Provider</c> = <c>azure-blob</c>: the cluster's storage account (its <see cref="BlobServiceClient"/>, registered by the host).</summary>
public sealed class AzureBlobStagingProvider : IStagingProvider
{
    public string Name => StagingSettings.AzureBlob;

    public IStagingStore Create(IServiceProvider services) => new AzureBlobStagingStore(services.GetRequiredService<BlobServiceClient>());

    /// <summary>The storage account's connection string is <c>Pixerve:Storage:ConnectionString</c>, checked with the cluster's settings.</summary>
    public IReadOnlyList<string> Validate(IConfiguration staging) => [];
}
