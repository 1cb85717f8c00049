using Microsoft.Extensions.DependencyInjection;

namespace Pixerve.Storage.S3;

public static class S3StorageServiceCollectionExtensions
{
    /// <summary>Lets <c>s3</c> credentials be opened (AWSSDK.S3), tuned from <c>Pixerve:Storage:S3</c>.</summary>
    public static IServiceCollection AddS3Storage(this IServiceCollection services)
    {
        services.AddOptions<S3StorageOptions>().BindConfiguration(S3StorageOptions.Section);
        return services.AddStorageProvider<S3StorageProvider>();
    }
}
