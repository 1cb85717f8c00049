using Pixerve;
using Pixerve.Silo;

var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings
{
    Args = args,
    ContentRootPath = AppContext.BaseDirectory,
});
builder.Configuration.AddPixerveSeedVariables();
builder.UseOrleans(silo => silo.UsePixerveClustering(builder.Configuration).AddPixerve(builder.Configuration));

await builder.Build().RunAsync();
