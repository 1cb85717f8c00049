using Azure.Storage.Blobs;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Pixerve.Grains.Credentials;
using Pixerve.Grains.Jobs;
using Pixerve.Grains.Staging;
using Pixerve.Grains.Storage;
using Pixerve.Grains.Webhooks;
using Pixerve.Imaging;
using Pixerve.Imaging.Inspection;
using Pixerve.ServiceDefaults;
using Pixerve.Storage.Filesystem;
using Pixerve.Storage.Resilience;
using Pixerve.Storage;
using Pixerve.Staging;
using Pixerve.Staging.AzureBlob;

namespace Pixerve.Grains;

public static class GrainServices
{
    /// <summary>The services the grains depend on, configured from <paramref name="configuration"/>.</summary>
    public static IServiceCollection AddPixerveGrainServices(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddSingleton(TimeProvider.System);
        // The staging store Pixerve:Staging:Provider names: the storage account's blobs by default.
        services.AddPixerveStaging(configuration)
            .AddAzureBlobStaging(_ => new BlobServiceClient(configuration.StorageConnectionString(), new BlobClientOptions().CountRequests("blob")));
        services.AddPixerveOptions<ImagingOptions>(configuration, ImagingOptions.Section);
        // The same Pixerve:Limits keys the gateway checks uploads against: one setting governs both checks.
        services.AddPixerveOptions<ImageLimitsOptions>(configuration, ImageLimitsOptions.Section);
        services.AddSingleton(sp => new ImageConverter(sp.GetRequiredService<IOptions<ImagingOptions>>().Value,
            sp.GetRequiredService<IOptions<ImageLimitsOptions>>().Value));
        // The backends themselves are storage providers the silo host registers (AddPixerveStorageProviders).
        services.AddPixerveStorage();
        services.AddSingleton<ICircuitObserver, StorageHealthReporter>();
        services.AddSingleton<CredentialProtector>();
        services.AddSingleton<ResolvedCredentials>();
        // Every silo shares one key ring, so any silo decrypts what another encrypted.
        var dataProtection = services.AddDataProtection().SetApplicationName("pixerve");
        // Keys at rest encrypted with a certificate every silo holds: the key ring's folder alone decrypts nothing.
        var keyRing = configuration.GetValidated<KeyRingOptions>(KeyRingOptions.Section);
        if (keyRing.HasCertificate) dataProtection.ProtectKeysWithCertificate(keyRing.Load(KeyRingOptions.Section));
        // The cluster provider's store holds it with postgres and redis (the silo host registers it there); with azure, the
        // staging store does.
        if (configuration.ClusterProvider() == ClusterProvider.Azure)
            services.AddOptions<KeyManagementOptions>()
                .Configure<IStagingStore>((o, staging) => o.XmlRepository = new StagingXmlRepository(staging.KeyRing));
        services.Configure<DirectHostOptions>(o => o.ServeDir = configuration.ServeDir());

        services.AddPixerveOptions<JobOptions>(configuration, JobOptions.Section);
        services.AddPixerveOptions<SiloEndpointOptions>(configuration, SiloEndpointOptions.Section);
        services.AddSingleton<JobQueue>();
        services.AddSingleton<RunningConversions>();
        services.AddSingleton<JobWorkers>();
        services.AddSingleton<ILifecycleParticipant<ISiloLifecycle>>(provider => provider.GetRequiredService<JobWorkers>());

        services.AddPixerveOptions<WebhookOptions>(configuration, WebhookOptions.Section);
        services.AddSingleton<WebhookSender>();
        services.AddSingleton<JobWebhooks>();
        services.AddSingleton<JobOutboxWorker>();
        services.AddSingleton<ILifecycleParticipant<ISiloLifecycle>>(provider => provider.GetRequiredService<JobOutboxWorker>());

        services.AddPixerveOptions<RetentionOptions>(configuration, RetentionOptions.Section);
        services.AddPixerveOptions<StagingOptions>(configuration, StagingOptions.Section);
        services.AddSingleton<StagingSweeper>();
        services.AddSingleton<ILifecycleParticipant<ISiloLifecycle>>(provider => provider.GetRequiredService<StagingSweeper>());
        return services;
    }
}
