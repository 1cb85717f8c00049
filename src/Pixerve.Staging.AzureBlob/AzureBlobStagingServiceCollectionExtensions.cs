using Azure.Storage.Blobs;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Pixerve.Staging.AzureBlob;

public static class AzureBlobStagingServiceCollectionExtensions
{
    /// <summary>
    /// Lets <c>azure-blob</c> staging be chosen, through the <see cref="BlobServiceClient"/> <paramref name="client"/>
    /// makes (the host's: its retries and request counting), registered unless the host registered one already.
    /// </summary>
    public static IServiceCollection AddAzureBlobStaging(this IServiceCollection services, Func<IServiceProvider, BlobServiceClient> client)
    {
        services.TryAddSingleton(client);
        return services.AddStagingProvider(new AzureBlobStagingProvider());
    }
}
