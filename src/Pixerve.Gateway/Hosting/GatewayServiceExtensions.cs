using System.Text.Json;
using Azure.Storage.Blobs;
using Pixerve.Gateway.Admin;
using Pixerve.Gateway.Apis;
using Pixerve.Gateway.Cluster;
using Pixerve.Gateway.Cors;
using Pixerve.Gateway.Resumable;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Pixerve.Gateway.Health;
using Pixerve.Gateway.Jobs;
using Pixerve.Gateway.OpenApi;
using Pixerve.Gateway.Staging;
using Pixerve.Gateway.Upload;
using Pixerve.ServiceDefaults;
using Pixerve.StorageProviders;
using Pixerve.Staging;
using Pixerve.Staging.AzureBlob;
using Pixerve.Staging.S3;
using Pixerve.Gateway.Auth;
using Pixerve.Gateway.Limits;
using Pixerve.Gateway.Metrics;
using Pixerve.Gateway.UploadPage;

namespace Pixerve.Gateway.Hosting;

public static class GatewayServiceExtensions
{
    /// <summary>Everything the gateway's endpoints need, every setting bound to validated options.</summary>
    public static WebApplicationBuilder AddPixerveGatewayServices(this WebApplicationBuilder builder)
    {
        var configuration = builder.Configuration;
        var services = builder.Services;
        // First of the startup filters: its middleware wraps all others (metrics included).
        services.AddTransient<IStartupFilter, UnreadBodyRefusal.Filter>();
        services.AddPixerveOptions<UploadOptions>(configuration, UploadOptions.Section);
        services.AddPixerveOptions<UploadPageOptions>(configuration, UploadPageOptions.Section);
        services.AddPixerveOptions<Pixerve.Imaging.Inspection.ImageLimitsOptions>(configuration, Pixerve.Imaging.Inspection.ImageLimitsOptions.Section);
        services.AddPixerveOptions<RetentionOptions>(configuration, RetentionOptions.Section);
        services.AddPixerveOptions<PixerveOptions>(configuration, PixerveOptions.Section);
        services.AddPixerveOptions<StorageOptions>(configuration, StorageOptions.Section);
        services.AddPixerveOptions<ClusteringOptions>(configuration, ClusteringOptions.Section);
        services.AddPixerveOptions<GatewayClientOptions>(configuration, GatewayClientOptions.Section);
        services.AddPixerveOptions<EventStreamOptions>(configuration, EventStreamOptions.Section);
        services.AddPixerveOptions<TrustedProxyOptions>(configuration, TrustedProxyOptions.Section);
        services.AddPixerveOptions<BrowserCorsOptions>(configuration, BrowserCorsOptions.Section);
        services.AddPixerveOptions<ResumableUploadOptions>(configuration, ResumableUploadOptions.Section);
        services.AddCors();
        services.TryAddSingleton(TimeProvider.System);
        services.AddOptions<Microsoft.AspNetCore.Builder.ForwardedHeadersOptions>()
            .Configure<Microsoft.Extensions.Options.IOptions<TrustedProxyOptions>>((options, settings) => settings.Value.ApplyTo(options));
        // Leave room for multipart framing; the upload handler enforces the exact file limit itself.
        var uploads = configuration.GetValidated<UploadOptions>(UploadOptions.Section);
        // The image limits were part of UploadOptions, checked here before anything listens: they still are.
        configuration.GetValidated<Pixerve.Imaging.Inspection.ImageLimitsOptions>(Pixerve.Imaging.Inspection.ImageLimitsOptions.Section);
        builder.WebHost.ConfigureKestrel(k =>
        {
            k.Limits.MaxRequestBodySize = uploads.MaxUploadBytes + 1024 * 1024;
            // A body arriving slower than this fails its read with a 408 (BadHttpRequestException), answered as a problem.
            k.Limits.MinRequestBodyDataRate = new Microsoft.AspNetCore.Server.Kestrel.Core.MinDataRate(
                uploads.MinRequestBodyBytesPerSecond, uploads.RequestBodyGracePeriod);
        });

        // Every problem carries a detail: the answers ASP.NET writes itself (an unknown path, a method a path does
        // not take, an unhandled error) get a sentence too, not only a status and a title.
        services.AddProblemDetails(o => o.CustomizeProblemDetails = ProblemResponses.AddDefaultDetail);
        services.AddExceptionHandler<ClusterCalls.ExceptionHandler>();
        services.ConfigureHttpJsonOptions(o => o.SerializerOptions.PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower);
        services.AddPixerveAuthentication(configuration);
        // The staging store Pixerve:Staging:Provider names; the storage account's client (its short retries) when it is azure-blob; a bucket when s3.
        services.AddPixerveStaging(configuration)
            .AddAzureBlobStaging(_ => new BlobServiceClient(configuration.StorageConnectionString(), StagingClientOptions().CountRequests("blob")))
            .AddS3Staging();
        services.AddSingleton<StagingStore>();
        // The storage backends: the same call as the silo's, so a credential posted here is one a silo can open.
        services.AddPixerveStorageProviders();
        services.AddSingleton<JobSpecParser>();
        services.AddSingleton<UploadHandler>();
        services.AddSingleton<ResumableUploadStore>();
        services.AddSingleton<ResumableUploadHandler>();
        services.AddSingleton<RefusedBodyDrain>();
        services.AddSingleton<RecordLists>();
        services.AddSingleton<CallerJobs>();
        services.AddSingleton<AdminAudit>();
        services.AddSingleton<EventStreamSlots>();
        services.AddSingleton<JobEventStream>();
        services.AddUploadRateLimits(configuration);
        services.AddOpenApi(o => o.AddDocumentTransformer(ContractSchemas.DescribeAsync).AddDocumentTransformer(CredentialSchemas.DescribeAsync)
            .AddDocumentTransformer(ContractOperations.DescribeDocumentAsync).AddOperationTransformer(ContractOperations.DescribeOperationAsync)
            .AddSchemaTransformer(ContractOperations.DescribeSchemaAsync));
        services.AddPixerveMetrics(configuration);
        services.AddPixerveTracing(configuration, web: true);
        services.AddSingleton<GatewayDrain>();
        services.AddHostedService(provider => provider.GetRequiredService<GatewayDrain>());
        // They decide readiness: a gateway takes uploads only when it can stage them and reach a silo, and not once it stops.
        services.AddHealthChecks()
            .AddCheck<StagingHealthCheck>("staging", tags: [ProbesApi.ReadyTag])
            .AddCheck<ClusterHealthCheck>("cluster", tags: [ProbesApi.ReadyTag])
            .AddCheck<GatewayDrain>("stopping", tags: [ProbesApi.ReadyTag]);
        return builder;
    }

    /// <summary>
    /// A storage account that hangs (not answering, not refusing) must turn into a 503 an upload's client can retry,
    /// not an upload held for the SDK's default 100 s per try: one 4 MB block or a commit takes well under a second
    /// against a healthy account, so a try gets 5 s, and one more try after it (about 10 s in all).
    /// </summary>
    private static BlobClientOptions StagingClientOptions() => new()
    {
        Retry = { MaxRetries = 1, NetworkTimeout = TimeSpan.FromSeconds(5), Delay = TimeSpan.FromMilliseconds(200), Mode = Azure.Core.RetryMode.Exponential },
    };
}
