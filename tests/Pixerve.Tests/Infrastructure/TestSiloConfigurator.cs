using Microsoft.Extensions.Configuration;
using Orleans.TestingHost;
using Pixerve.Silo;

namespace Pixerve.Tests.Infrastructure;

/// <summary>Configures each test silo exactly as the real host does, against the run's Azurite.</summary>
public sealed class TestSiloConfigurator : ISiloConfigurator
{
    /// <summary>Set by the fixture before the cluster starts; test silos run in this process.</summary>
    public static IConfiguration Configuration { get; set; } = new ConfigurationBuilder().Build();

    public void Configure(ISiloBuilder siloBuilder) => siloBuilder.AddPixerve(Configuration);
}
