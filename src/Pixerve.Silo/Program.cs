using Pixerve.Cluster.Postgres;
using Pixerve.ServiceDefaults;
using Pixerve.Silo.Hosting;
using Pixerve.Silo.Metrics;


// `migrate`: apply the cluster provider's schema with the silo's settings and exit, starting nothing.
var migrate = args is [PostgresMigrateCommand.Name, ..];
var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings
{
    Args = migrate ? args[1..] : args,
    ContentRootPath = AppContext.BaseDirectory,
});
builder.Configuration.AddPixerveSeedVariables();
if (migrate) return await PostgresMigrateCommand.RunAsync(builder.Configuration, Console.Out, Console.Error);

// Leave room for running conversions to finish (Pixerve:Silo:ShutdownGrace) after SIGTERM, then to leave the cluster.
var shutdown = builder.Configuration.GetValidated<SiloEndpointOptions>(SiloEndpointOptions.Section).HostShutdownTimeout;
builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = shutdown);
builder.Services.AddPixerveMetrics(builder.Configuration);
builder.Services.AddPixerveProbes(builder.Configuration);
builder.UseOrleans(silo => silo.UsePixerveClustering(builder.Configuration).AddPixerve(builder.Configuration));

var host = builder.Build();
host.LogStorageAccount();
await host.RunAsync();
return 0;
