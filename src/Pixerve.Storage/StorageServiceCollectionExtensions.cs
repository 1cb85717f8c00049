using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Pixerve.Storage.Filesystem;
using Pixerve.Storage.Resilience;

namespace Pixerve.Storage;

public static class StorageServiceCollectionExtensions
{
    /// <summary>
    /// What writing to storage needs whatever the backends: the provider registry, the resilience pipelines and the
    /// serve directory's store. The backends are providers the host registers (<c>AddDirectStorage()</c>,
    /// <c>AddS3Storage()</c>, …). Configure <see cref="DirectHostOptions"/> for the serve directory.
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
        services.TryAddSingleton<StorageProviderRegistry>();
        services.TryAddSingleton<DirectHostStore>();
        return services;
    }

    /// <summary>
    /// Registers a storage provider with <see cref="StorageProviderRegistry"/>: what each backend's <c>Add…Storage()</c>
    /// calls. Registering the same provider twice is harmless; two providers of one name stop the host at start.
    /// </summary>
    public static IServiceCollection AddStorageProvider<TProvider>(this IServiceCollection services)
        where TProvider : class, IStorageProvider
    {
        services.TryAddSingleton<StorageProviderRegistry>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IStorageProvider, TProvider>());
        return services;
    }

    /// <summary>Lets <c>direct</c> credentials be opened: directories on the silos' own file systems (no SDK).</summary>
    public static IServiceCollection AddDirectStorage(this IServiceCollection services) =>
        services.AddStorageProvider<DirectStorageProvider>();
}
