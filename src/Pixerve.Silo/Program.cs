using Pixerve.ServiceDefaults;
using Pixerve.Silo.Hosting;
using Pixerve.Silo.Metrics;


var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings
{
    Args = args,
    ContentRootPath = AppContext.BaseDirectory,
});
builder.Configuration.AddPixerveSeedVariables();
// Leave room for running conversions to finish (Pixerve:Silo:ShutdownGrace) after SIGTERM, then to leave the cluster.
var shutdown = builder.Configuration.GetValidated<SiloEndpointOptions>(SiloEndpointOptions.Section).HostShutdownTimeout;
builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = shutdown);
builder.Services.AddPixerveMetrics(builder.Configuration);
builder.Services.AddPixerveProbes(builder.Configuration);
builder.UseOrleans(silo => silo.UsePixerveClustering(builder.Configuration).AddPixerve(builder.Configuration));

var host = builder.Build();
host.LogStorageAccount();
await host.RunAsync();
