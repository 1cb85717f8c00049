using Microsoft.Extensions.DependencyInjection;

namespace Pixerve.Storage.Sftp;

public static class SftpStorageServiceCollectionExtensions
{
    /// <summary>Lets <c>sftp</c> credentials be opened (SSH.NET), tuned from <c>Pixerve:Storage:Sftp</c>.</summary>
    public static IServiceCollection AddSftpStorage(this IServiceCollection services)
    {
        services.AddOptions<SftpStorageOptions>().BindConfiguration(SftpStorageOptions.Section);
        return services.AddStorageProvider<SftpStorageProvider>();
    }
}
