using Microsoft.Extensions.DependencyInjection;

namespace Pixerve.Storage.Gcs;

public static class GcsStorageServiceCollectionExtensions
{
    /// <summary>Lets <c>gcs</c> credentials be opened (Google.Cloud.Storage.V1), tuned from <c>Pixerve:Storage:Gcs</c>.</summary>
    public static IServiceCollection AddGcsStorage(this IServiceCollection services)
    {
        services.AddOptions<GcsStorageOptions>().BindConfiguration(GcsStorageOptions.Section);
        return services.AddStorageProvider<GcsStorageProvider>();
    }
}
