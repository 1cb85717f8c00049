using Orleans.TestingHost;
using Pixerve.Silo;

namespace Pixerve.Tests.Infrastructure;

/// <summary>Configures each test silo exactly as the real host does, from its cluster's own settings.</summary>
public sealed class TestSiloConfigurator : ISiloConfigurator
{
    public void Configure(ISiloBuilder siloBuilder) => siloBuilder.AddPixerve(siloBuilder.Configuration);
}

/// <summary>The test cluster's client as the gateway's own: grain calls carry the caller's trace and the cluster client key.</summary>
public sealed class TestClientConfigurator : IClientBuilderConfigurator
{
    public void Configure(Microsoft.Extensions.Configuration.IConfiguration configuration, IClientBuilder clientBuilder) =>
        clientBuilder.AddActivityPropagation().AddPixerveClientKey(configuration);
}
