using Orleans.Dashboard;
using Pixerve.GrainInterfaces.Operations;
using Pixerve.Grains.Operations;
using Pixerve.ServiceDefaults;

namespace Pixerve.Silo.Hosting;

public static class OperationsSiloExtensions
{
    /// <summary>
    /// What operators see: the Orleans Dashboard's silo side (its grains, profiler and counters; the gateways
    /// serve the UI) and this silo's queue reports to <see cref="IClusterStatsGrain"/>.
    /// </summary>
    public static ISiloBuilder AddPixerveOperations(this ISiloBuilder silo, IConfiguration configuration)
    {
        silo.AddDashboard();
        silo.Services.AddPixerveOptions<StatsOptions>(configuration, StatsOptions.Section);
        silo.Services.AddSingleton<QueueReporter>();
        silo.Services.AddSingleton<ILifecycleParticipant<ISiloLifecycle>>(provider => provider.GetRequiredService<QueueReporter>());
        return silo;
    }
}
