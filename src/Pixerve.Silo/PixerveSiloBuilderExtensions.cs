using Azure.Data.Tables;
using Azure.Storage.Blobs;
using Microsoft.Extensions.Configuration;
using Pixerve.Grains;

namespace Pixerve.Silo;

public static class PixerveSiloBuilderExtensions
{
    /// <summary>Everything a Pixerve silo needs except clustering, which the host chooses.</summary>
    public static ISiloBuilder AddPixerve(this ISiloBuilder silo, IConfiguration configuration)
    {
        var connectionString = configuration.StorageConnectionString();
        silo.AddAzureBlobGrainStorage(GrainStorageNames.Jobs, o => o.BlobServiceClient = new BlobServiceClient(connectionString));
        // Storage credentials (secrets encrypted by Data Protection) in their own container.
        silo.AddAzureBlobGrainStorage(GrainStorageNames.Credentials, o =>
        {
            o.BlobServiceClient = new BlobServiceClient(connectionString);
            o.ContainerName = "pixerve-credentials";
        });
        silo.UseAzureTableReminderService(o => o.TableServiceClient = new TableServiceClient(connectionString));
        silo.Services.AddPixerveGrainServices(configuration);
        return silo;
    }
}
