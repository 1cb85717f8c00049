using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Pixerve.Staging.Filesystem;

namespace Pixerve.Staging;

public static class StagingServiceCollectionExtensions
{
    /// <summary>
    /// Registers <see cref="IStagingStore"/>: the provider <c>Pixerve:Staging:Provider</c> names, among those the host
    /// registered, with its settings checked now (a missing or bad one stops the host with a message naming its key).
    /// The filesystem provider is always there; the others are the hosts' to add.
    /// </summary>
    public static IServiceCollection AddPixerveStaging(this IServiceCollection services, IConfiguration configuration)
    {
        var filesystem = new FilesystemStagingProvider();
        services.AddStagingProvider(filesystem);
        // Refused now, before the host is built: an unknown provider, and the filesystem provider's own settings. Other
        // providers' settings are checked as the host starts (they are registered after this call).
        if (ProviderName(configuration) == filesystem.Name && filesystem.Validate(configuration.GetSection(StagingSettings.Section)) is [_, ..] problems)
            throw new InvalidOperationException(string.Join("; ", problems));
        // Checked as the host starts, with the providers the host registered by then: a missing or bad setting stops it.
        services.AddOptions<StagingSettings>().Bind(configuration.GetSection(StagingSettings.Section)).ValidateOnStart();
        if (!services.Any(d => d.ServiceType == typeof(Microsoft.Extensions.Options.IValidateOptions<StagingSettings>)))
            services.AddSingleton<Microsoft.Extensions.Options.IValidateOptions<StagingSettings>>(
                provider => new SettingsCheck(configuration, provider.GetServices<IStagingProvider>().ToList()));
        services.TryAddSingleton<IStagingStore>(provider =>
        {
            var name = ProviderName(configuration);
            var chosen = provider.GetServices<IStagingProvider>().FirstOrDefault(p => p.Name == name) ??
                         throw new InvalidOperationException($"{StagingSettings.ProviderKey}: '{name}' is not a staging provider this host knows " +
                                                             $"({string.Join(", ", provider.GetServices<IStagingProvider>().Select(p => p.Name).Distinct())})");
            var problems = chosen.Validate(configuration.GetSection(StagingSettings.Section));
            if (problems.Count > 0) throw new InvalidOperationException(string.Join("; ", problems));
            return chosen.Create(provider);
        });
        return services;
    }

    /// <summary>
    /// The provider's name as configured, checked: an unknown one stops the host at once, naming the key. Read before
    /// the services exist (the hosts choose their clients by it).
    /// </summary>
    public static string ProviderName(IConfiguration configuration)
    {
        var name = (configuration[StagingSettings.ProviderKey] ?? StagingSettings.AzureBlob).Trim().ToLowerInvariant();
        if (name.Length == 0) name = StagingSettings.AzureBlob;
        return name is StagingSettings.AzureBlob or StagingSettings.S3 or StagingSettings.Filesystem
            ? name
            : throw new InvalidOperationException(
                $"{StagingSettings.ProviderKey}: '{name}' is not one of {StagingSettings.AzureBlob}, {StagingSettings.S3}, {StagingSettings.Filesystem}");
    }

    private sealed class SettingsCheck(IConfiguration configuration, IReadOnlyList<IStagingProvider> providers)
        : Microsoft.Extensions.Options.IValidateOptions<StagingSettings>
    {
        public Microsoft.Extensions.Options.ValidateOptionsResult Validate(string? name, StagingSettings options)
        {
            var chosen = ProviderName(configuration);
            var provider = providers.FirstOrDefault(p => p.Name == chosen);
            if (provider is null)
                return Microsoft.Extensions.Options.ValidateOptionsResult.Fail(
                    $"{StagingSettings.ProviderKey}: '{chosen}' is not a staging provider this host registered");
            var problems = provider.Validate(configuration.GetSection(StagingSettings.Section));
            return problems.Count == 0 ? Microsoft.Extensions.Options.ValidateOptionsResult.Success : Microsoft.Extensions.Options.ValidateOptionsResult.Fail(problems);
        }
    }

    /// <summary>Registers a staging provider; registering the same one twice is harmless.</summary>
    public static IServiceCollection AddStagingProvider(this IServiceCollection services, IStagingProvider provider)
    {
        if (!services.Any(d => d.ServiceType == typeof(IStagingProvider) && d.ImplementationInstance?.GetType() == provider.GetType()))
            services.AddSingleton(provider);
        return services;
    }
}
