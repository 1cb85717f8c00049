using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Pixerve.ServiceDefaults;

public static class StorageAccountLog
{
    /// <summary>
    /// Says at start which storage endpoints this process uses, so one that found another Pixerve's emulator on
    /// the default port does not go unnoticed. Only the endpoints: never the key.
    /// </summary>
    public static void LogStorageAccount(this IHost host)
    {
        var connectionString = host.Services.GetRequiredService<IConfiguration>().StorageConnectionString();
        var endpoints = connectionString == PixerveConfiguration.DevelopmentStorage
            ? "the development emulator at 127.0.0.1:10000-10002"
            : string.Join(", ", connectionString.Split(';', StringSplitOptions.RemoveEmptyEntries)
                .Where(part => part.Contains("Endpoint", StringComparison.OrdinalIgnoreCase) && !part.StartsWith("DefaultEndpointsProtocol", StringComparison.OrdinalIgnoreCase)
                               || part.StartsWith("AccountName=", StringComparison.OrdinalIgnoreCase)));
        host.Services.GetRequiredService<ILoggerFactory>().CreateLogger("Pixerve.Storage")
            .LogInformation("Storage account: {Endpoints}", endpoints);
    }
}
