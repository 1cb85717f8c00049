using Orleans.TestingHost;
using Pixerve.Silo;

namespace Pixerve.Tests.Infrastructure;

/// <summary>Configures each test silo exactly as the real host does, from its cluster's own settings.</summary>
public sealed class TestSiloConfigurator : ISiloConfigurator
{
    public void Configure(ISiloBuilder siloBuilder) => siloBuilder.AddPixerve(siloBuilder.Configuration);
}
