using Microsoft.Extensions.Options;
using Pixerve.Gateway.Admin;
using Pixerve.Gateway.Apis;
using Pixerve.Gateway.Cluster;
using Pixerve.Gateway.Cors;
using Pixerve.Gateway.Health;
using Pixerve.ServiceDefaults;

namespace Pixerve.Gateway.Hosting;

/// <summary>The gateway as <c>Program.cs</c> runs it, and as tests start it beside a cluster of their own.</summary>
public static class GatewayApp
{
    /// <param name="clusterClient">A client of an existing cluster (tests); when null the gateway connects as configured.</param>
    /// <param name="services">More services on top of the gateway's (a test's own storage provider, say).</param>
    public static WebApplication Build(string[] args, IClusterClient? clusterClient = null, Action<IServiceCollection>? services = null)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });
        builder.Configuration.AddPixerveSeedVariables();
        if (GeneratingOpenApiDocument)
        {
            // The build only asks the host for its endpoints (openapi/pixerve.v1.json); it never serves or connects.
            builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["Pixerve:Jwt:Secret"] = "openapi-document-generation-only-secret-0123456789",
            });
        }
        builder.AddPixerveOrleansClient(clusterClient).AddPixerveGatewayServices();
        services?.Invoke(builder.Services);
        if (GeneratingOpenApiDocument)
        {
            // Nothing may start: no cluster client, no storage calls, only the endpoints' metadata.
            foreach (var hosted in builder.Services.Where(d => d.ServiceType == typeof(IHostedService)).ToList())
                builder.Services.Remove(hosted);
        }

        var app = builder.Build();
        app.LogStorageAccount();
        // Before anything reads the client's address (the upload's rate limits, logs); only from the configured proxies.
        if (app.Services.GetRequiredService<IOptions<TrustedProxyOptions>>().Value.Any) app.UseForwardedHeaders();
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        // Before the drain and the served files: their answers, 503s included, must be readable by pages allowed elsewhere.
        app.UseBrowserCors();
        app.UseGatewayDrain();
        app.UseServedFiles(builder.Configuration.ServeDir());
        app.UseRouting();
        app.UseAuthentication();
        app.UseAdminCrossSiteGuard();
        app.UseAuthorization();

        app.MapOpenApi();
        app.MapUploadApi();
        app.MapResumableUploadApi();
        app.MapJobsApi();
        app.MapFilesApi();
        app.MapHealthApi();
        app.MapProbesApi();
        app.MapAdminApi();
        app.MapUploadPageApi();
        return app;
    }

    /// <summary>True when the build's document generator (dotnet-getdocument) is running the gateway's host.</summary>
    private static bool GeneratingOpenApiDocument =>
        System.Reflection.Assembly.GetEntryAssembly()?.GetName().Name == "GetDocument.Insider";
}
