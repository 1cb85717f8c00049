using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Pixerve.Storage.Filesystem;
using Pixerve.Storage.Resilience;

namespace Pixerve.Storage;

public static class StorageServiceCollectionExtensions
{
    /// <summary>
    /// The store registry, the resilience pipelines and the file-system stores (the serve directory and <c>direct</c>
    /// credentials). Backends with an SDK add themselves with their own <c>AddS3Storage()</c>, <c>AddGcsStorage()</c>, ….
    /// Configure <see cref="DirectHostOptions"/> for the serve directory.
    /// </summary>
    public static IServiceCollection AddPixerveStorage(this IServiceCollection services)
    {
        services.TryAddSingleton(TimeProvider.System);
        // Checked at start: Polly would otherwise refuse the values only at the first write, failing that job.
        services.AddOptions<StorageResilienceOptions>()
            .BindConfiguration(StorageResilienceOptions.Section)
            .Validate(o => o.Attempts >= 1 && o.FailuresToOpen >= 1
                           && o.FirstRetryDelay >= TimeSpan.Zero && o.FirstRetryDelay <= TimeSpan.FromDays(1)
                           && o.OpenFor >= TimeSpan.FromMilliseconds(500) && o.OpenFor <= TimeSpan.FromDays(1),
                $"{StorageResilienceOptions.Section}: Attempts and FailuresToOpen must be at least 1, FirstRetryDelay from 0 to 1 day, OpenFor from 0.5 s to 1 day")
            .ValidateOnStart();
        services.TryAddSingleton<StorageResilience>();
        services.TryAddSingleton<ObjectStores>();
        services.TryAddSingleton<DirectHostStore>();
        return services.AddObjectStoreFactory<DirectStoreFactory>();
    }

    /// <summary>Makes a backend available to <see cref="ObjectStores"/>; what each backend's <c>Add…Storage()</c> calls.</summary>
    public static IServiceCollection AddObjectStoreFactory<TFactory>(this IServiceCollection services)
        where TFactory : class, IObjectStoreFactory
    {
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IObjectStoreFactory, TFactory>());
        return services;
    }
}
