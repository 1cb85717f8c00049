using Azure.Storage.Blobs;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Pixerve.Grains.Imaging;
using Pixerve.Grains.Storage;

namespace Pixerve.Grains;

public static class GrainServices
{
    /// <summary>The services the grains depend on, configured from <paramref name="configuration"/>.</summary>
    public static IServiceCollection AddPixerveGrainServices(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddSingleton(TimeProvider.System);
        services.AddSingleton(new BlobServiceClient(configuration.StorageConnectionString()));
        services.Configure<ImagingOptions>(configuration.GetSection(ImagingOptions.Section));
        services.Configure<ImagingOptions>(o => o.MaxSourcePixels = configuration.GetValue(ImagingOptions.MaxSourcePixelsKey, o.MaxSourcePixels));
        services.AddSingleton(sp => new ImageConverter(sp.GetRequiredService<IOptions<ImagingOptions>>().Value));
        services.AddSingleton<DirectHostStore>();
        services.Configure<DirectHostOptions>(o => o.ServeDir = configuration.ServeDir());
        return services;
    }
}
