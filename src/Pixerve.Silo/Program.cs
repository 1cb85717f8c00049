using Pixerve;
using Pixerve.Silo;

var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings
{
    Args = args,
    ContentRootPath = AppContext.BaseDirectory,
});
builder.Configuration.AddPixerveSeedVariables();
// Leave room for running conversions to finish (Pixerve:Jobs:ShutdownTimeout) after SIGTERM.
builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromMinutes(2));
builder.Services.AddPixerveMetrics(builder.Configuration);
builder.Services.AddPixerveProbes(builder.Configuration);
builder.UseOrleans(silo => silo.UsePixerveClustering(builder.Configuration).AddPixerve(builder.Configuration));

var host = builder.Build();
host.LogStorageAccount();
await host.RunAsync();
