using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Pixerve.Imaging;
using Pixerve.Imaging.Inspection;

namespace Pixerve.Grains.Tests;

/// <summary>The silo's imaging settings are validated when it starts, like every other section, naming the key at fault.</summary>
public sealed class ImagingOptionsTests
{
    private static IHost Silo(params string[] settings)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        // Every other section valid, so that only the setting under test can stop the start.
        builder.Configuration.AddCommandLine([$"--Pixerve:Webhooks:Secret={Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32))}", .. settings]);
        builder.Services.AddPixerveGrainServices(builder.Configuration);
        return builder.Build();
    }

    [Theory]
    [InlineData("--Pixerve:Imaging:ThreadNice=25", "Pixerve:Imaging:ThreadNice")]
    [InlineData("--Pixerve:Imaging:Threads=-1", "Pixerve:Imaging:Threads")]
    [InlineData("--Pixerve:Limits:MaxSourcePixels=0", "Pixerve:Limits:MaxSourcePixels")]
    [InlineData("--Pixerve:Limits:MaxFrames=0", "Pixerve:Limits:MaxFrames")]
    public async Task A_bad_value_stops_the_start_with_a_message_naming_its_key(string setting, string key)
    {
        using var host = Silo(setting);
        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());
        Assert.Contains(key, error.Message);
    }

    [Fact]
    public async Task Good_values_start_and_reach_the_converter_s_options()
    {
        using var host = Silo("--Pixerve:Imaging:ThreadNice=19", "--Pixerve:Limits:MaxSourcePixels=1234");
        await host.StartAsync();
        Assert.Equal(19, host.Services.GetRequiredService<IOptions<ImagingOptions>>().Value.ThreadNice);
        Assert.Equal(1234, host.Services.GetRequiredService<IOptions<ImageLimitsOptions>>().Value.MaxSourcePixels);
        await host.StopAsync();
    }
}
