using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Orleans.TestingHost;
using Pixerve.ServiceDefaults;
using Pixerve.Silo.Hosting;

namespace Pixerve.Testing.Fixtures;

/// <summary>Configures each test silo exactly as the real host does, from its cluster's own settings.</summary>
public sealed class TestSiloConfigurator : ISiloConfigurator
{
    public void Configure(ISiloBuilder siloBuilder)
    {
        siloBuilder.AddPixerve(siloBuilder.Configuration);
        // Beside the silo's own logging: the warnings it writes, for tests to search (SiloService<SiloLogs>()).
        siloBuilder.Services.AddSingleton<SiloLogs>();
        siloBuilder.Services.AddSingleton<ILoggerProvider>(services => services.GetRequiredService<SiloLogs>());
    }
}

/// <summary>The test cluster's client as the gateway's own: grain calls carry the caller's trace and the cluster client key.</summary>
public sealed class TestClientConfigurator : IClientBuilderConfigurator
{
    public void Configure(Microsoft.Extensions.Configuration.IConfiguration configuration, IClientBuilder clientBuilder) =>
        clientBuilder.AddActivityPropagation().AddPixerveClientKey(configuration);
}
