using System.Text.Json;
using Azure.Data.Tables;
using Azure.Storage.Blobs;
using Orleans.Configuration;
using Microsoft.AspNetCore.StaticFiles;
using Microsoft.Extensions.FileProviders;
using Pixerve.Gateway.Admin;
using Pixerve.Gateway.Auth;
using Pixerve.Gateway.Endpoints;
using Pixerve.Gateway.Limits;
using Pixerve.Gateway.Operations;
using Pixerve.Gateway.Metrics;
using Pixerve.Gateway.Upload;

namespace Pixerve.Gateway;

public static class GatewayApp
{
    /// <param name="clusterClient">A client of an existing cluster (tests); when null the gateway connects as configured.</param>
    public static WebApplication Build(string[] args, IClusterClient? clusterClient = null)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions
        {
            Args = args,
            ContentRootPath = AppContext.BaseDirectory,
        });
        builder.Configuration.AddPixerveSeedVariables();
        var configuration = builder.Configuration;

        if (clusterClient is null)
        {
            builder.UseOrleansClient(client =>
            {
                if (configuration.UsesAzureClustering())
                {
                    client.Configure<ClusterOptions>(o =>
                    {
                        o.ClusterId = configuration.ClusterId();
                        o.ServiceId = PixerveConfiguration.ServiceId;
                    });
                    client.UseAzureStorageClustering(o => o.TableServiceClient = new TableServiceClient(configuration.StorageConnectionString()));
                }
                else
                {
                    client.UseLocalhostClustering(configuration.GetValidated<SiloEndpointOptions>(SiloEndpointOptions.Section).GatewayPort,
                        PixerveConfiguration.ServiceId, configuration.ClusterId());
                }

                var gatewayClient = configuration.GetValidated<GatewayClientOptions>(GatewayClientOptions.Section);
                client.Configure<ClientMessagingOptions>(o => o.ResponseTimeout = gatewayClient.GrainCallTimeout);
                // A silo that comes back is used again within about a second, not after the one-minute gateway list refresh.
                client.Configure<ConnectionOptions>(o =>
                {
                    o.ConnectionRetryDelay = TimeSpan.FromMilliseconds(250);
                    o.OpenConnectionTimeout = TimeSpan.FromSeconds(2);
                });
                client.Configure<GatewayOptions>(o => o.GatewayListRefreshPeriod = gatewayClient.GatewayListRefreshPeriod);
                // The silo may still be starting; keep trying for a minute rather than failing at once.
                var attempts = 0;
                client.UseConnectionRetryFilter(async (_, cancellationToken) =>
                {
                    await Task.Delay(TimeSpan.FromSeconds(1), cancellationToken);
                    return ++attempts < 60;
                });
            });
        }
        else
        {
            builder.Services.AddSingleton(clusterClient);
            builder.Services.AddSingleton<IGrainFactory>(clusterClient);
        }

        var uploadOptions = configuration.GetValidated<UploadOptions>(UploadOptions.Section);
        builder.Services.AddPixerveOptions<UploadOptions>(configuration, UploadOptions.Section);
        builder.Services.AddPixerveOptions<RetentionOptions>(configuration, RetentionOptions.Section);
        builder.Services.AddPixerveOptions<PixerveOptions>(configuration, PixerveOptions.Section);
        builder.Services.AddPixerveOptions<StorageOptions>(configuration, StorageOptions.Section);
        builder.Services.AddPixerveOptions<ClusteringOptions>(configuration, ClusteringOptions.Section);
        // Leave room for multipart framing; the handler enforces the exact file limit itself.
        builder.WebHost.ConfigureKestrel(k => k.Limits.MaxRequestBodySize = uploadOptions.MaxUploadBytes + 1024 * 1024);

        builder.Services.AddProblemDetails();
        builder.Services.AddExceptionHandler<ClusterCalls.ExceptionHandler>();
        builder.Services.ConfigureHttpJsonOptions(o => o.SerializerOptions.PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower);
        builder.Services.AddPixerveAuthentication(configuration);
        builder.Services.AddPixerveOperations(configuration);
        builder.Services.AddSingleton(new BlobServiceClient(configuration.StorageConnectionString()));
        builder.Services.AddSingleton<StagingStore>();
        builder.Services.AddSingleton<UploadHandler>();
        builder.Services.AddSingleton<RecordLists>();
        builder.Services.AddSingleton<CallerJobs>();
        builder.Services.AddUploadRateLimits(configuration);
        builder.Services.AddOpenApi();
        builder.Services.AddPixerveMetrics();
        builder.Services.AddHealthChecks()
            .AddCheck<StagingHealthCheck>("staging")
            .AddCheck<ClusterHealthCheck>("cluster");

        var app = builder.Build();
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        // Files first, before routing picks the /files endpoint that only answers for missing ones.
        UseServedFiles(app, configuration.ServeDir());
        app.UseRouting();
        app.UseAuthentication();
        app.UseRateLimiter();
        app.UseAuthorization();

        app.MapOpenApi();
        app.MapPost("/upload", (HttpContext http, UploadHandler handler) => handler.HandleAsync(http))
            .RequireRateLimiting(UploadRateLimits.SubjectPolicy)
            .Accepts<UploadForm>("multipart/form-data")
            .Produces<UploadResponse>()
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge)
            .ProducesProblem(StatusCodes.Status415UnsupportedMediaType)
            .ProducesProblem(StatusCodes.Status429TooManyRequests)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable)
            .WithSummary("Upload an image; answers at once with its hash and the files it will produce")
            .WithDescription("Several 'file' parts (up to Pixerve:Limits:MaxFilesPerUpload) make one job each and answer " +
                "{jobs: [{file, hash, job_id, expected_files, status} | {file, error}]} in part order; one part answers " +
                "{hash, job_id, expected_files, status}. The same bytes under the same job claim are one job: uploading them " +
                "again answers that job as it stands.")
            .AddOpenApiOperationTransformer(UploadAnswer.DescribeBothShapesAsync);
        app.MapGet("/files/{**path}", (string path) => Results.Problem(statusCode: StatusCodes.Status404NotFound, detail: $"no file {path}"))
            .Produces(StatusCodes.Status200OK, typeof(byte[]), "image/jpeg", "image/png", "image/webp", "image/avif")
            .ProducesProblem(StatusCodes.Status404NotFound)
            .WithSummary("A directHost output (ETag, Range, immutable caching)");
        app.MapJobEndpoints(configuration);
        app.MapJobEvents();
        app.MapServiceEndpoints();
        app.MapCredentialEndpoints(configuration);
        app.MapPixerveOperations(configuration);
        return app;
    }

    /// <summary><c>GET /files/{subDir}/{name}</c>, confined to the serve directory, with ETag and Range from the static file middleware.</summary>
    private static void UseServedFiles(WebApplication app, string serveDir)
    {
        Directory.CreateDirectory(serveDir);
        var contentTypes = new FileExtensionContentTypeProvider();
        contentTypes.Mappings[".avif"] = "image/avif";
        contentTypes.Mappings[".webp"] = "image/webp";
        app.UseStaticFiles(new StaticFileOptions
        {
            RequestPath = "/files",
            FileProvider = new PhysicalFileProvider(serveDir),
            ContentTypeProvider = contentTypes,
            // Output names carry the content hash, so a name never changes meaning.
            OnPrepareResponse = context => context.Context.Response.Headers.CacheControl = "public, max-age=31536000, immutable",
        });
    }
}
