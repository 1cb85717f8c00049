using Pixerve;
using Pixerve.Silo;

var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings
{
    Args = args,
    ContentRootPath = AppContext.BaseDirectory,
});
builder.Configuration.AddPixerveSeedVariables();
builder.UseOrleans(silo =>
{
    var siloPort = builder.Configuration.GetValue("Pixerve:Silo:Port", 11111);
    var gatewayPort = builder.Configuration.GetValue("Pixerve:Silo:GatewayPort", 30000);
    silo.UseLocalhostClustering(siloPort, gatewayPort);
    silo.AddPixerve(builder.Configuration);
});

await builder.Build().RunAsync();
