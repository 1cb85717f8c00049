using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.FileProviders;
using Microsoft.Extensions.Logging;

namespace Pixerve.EndToEnd.Tests;

/// <summary>A folder served over HTTP on a loopback port of its own: a web app on another origin than the gateway's.</summary>
public sealed class StaticSite : IAsyncDisposable
{
    private readonly WebApplication _app;

    private StaticSite(WebApplication app, Uri address)
    {
        _app = app;
        Address = address;
    }

    /// <summary>The site's origin, <c>http://127.0.0.1:{port}</c>.</summary>
    public Uri Address { get; }

    public string Origin => Address.GetLeftPart(UriPartial.Authority);

    public static async Task<StaticSite> StartAsync(string folder)
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { ContentRootPath = folder, WebRootPath = folder });
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var files = new PhysicalFileProvider(folder);
        app.UseDefaultFiles(new DefaultFilesOptions { FileProvider = files });
        app.UseStaticFiles(new StaticFileOptions { FileProvider = files });
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new StaticSite(app, new Uri(address));
    }

    public ValueTask DisposeAsync() => _app.DisposeAsync();
}
