using Microsoft.Extensions.DependencyInjection;
using Pixerve.Storage;
using Pixerve.Storage.Gcs;
using Pixerve.Storage.S3;
using Pixerve.Storage.Sftp;

namespace Pixerve.StorageProviders;

public static class StorageProvidersServiceCollectionExtensions
{
    /// <summary>
    /// Every storage provider this server ships. Silo and gateway both call this, so the backends a credential may
    /// name when it is posted are exactly those a silo can open: a gateway that accepted a type no silo knew would
    /// turn an admin's typo-free credential into failed jobs.
    /// </summary>
    public static IServiceCollection AddPixerveStorageProviders(this IServiceCollection services) => services
        .AddDirectStorage()
        .AddS3Storage()
        .AddGcsStorage()
        .AddSftpStorage();
}
