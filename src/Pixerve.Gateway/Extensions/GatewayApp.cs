using Pixerve.Gateway.Admin;
using Pixerve.Gateway.Apis;

namespace Pixerve.Gateway;

/// <summary>The gateway as <c>Program.cs</c> runs it, and as tests start it beside a cluster of their own.</summary>
public static class GatewayApp
{
    /// <param name="clusterClient">A client of an existing cluster (tests); when null the gateway connects as configured.</param>
    public static WebApplication Build(string[] args, IClusterClient? clusterClient = null)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });
        builder.Configuration.AddPixerveSeedVariables();
        builder.AddPixerveOrleansClient(clusterClient).AddPixerveGatewayServices();

        var app = builder.Build();
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.UseServedFiles(builder.Configuration.ServeDir());
        app.UseRouting();
        app.UseAuthentication();
        app.UseAdminCrossSiteGuard();
        app.UseRateLimiter();
        app.UseAuthorization();

        app.MapOpenApi();
        app.MapUploadApi();
        app.MapJobsApi();
        app.MapFilesApi();
        app.MapHealthApi();
        app.MapAdminApi();
        return app;
    }
}
