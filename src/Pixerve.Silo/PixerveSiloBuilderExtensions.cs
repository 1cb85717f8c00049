using Azure.Data.Tables;
using Azure.Storage.Blobs;
using Microsoft.Extensions.Configuration;
using Pixerve.Grains;
using Pixerve.Grains.Jobs;

namespace Pixerve.Silo;

public static class PixerveSiloBuilderExtensions
{
    /// <summary>Everything a Pixerve silo needs except clustering, which the host chooses.</summary>
    public static ISiloBuilder AddPixerve(this ISiloBuilder silo, IConfiguration configuration)
    {
        var connectionString = configuration.StorageConnectionString();
        silo.AddAzureBlobGrainStorage(GrainStorageNames.Jobs, o => o.BlobServiceClient = new BlobServiceClient(connectionString));
        silo.UseAzureTableReminderService(o => o.TableServiceClient = new TableServiceClient(connectionString));

        // A job's resume reminder may tick faster than Orleans' default one-minute floor (tests do).
        var resume = configuration.GetSection(JobOptions.Section).Get<JobOptions>()?.ResumePeriod ?? TimeSpan.FromMinutes(1);
        silo.Configure<ReminderOptions>(o => o.MinimumReminderPeriod = TimeSpan.FromTicks(Math.Min(resume.Ticks, o.MinimumReminderPeriod.Ticks)));

        silo.Services.AddPixerveGrainServices(configuration);
        silo.AddStartupTask((services, _) => services.GetRequiredService<IGrainFactory>().GetGrain<ICleanupGrain>(0).EnsureScheduled());
        return silo;
    }
}
