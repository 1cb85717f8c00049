using Pixerve.Testing;


namespace Pixerve.EndToEnd.Tests;

/// <summary>A silo process given a bad setting stops at start, saying which key is wrong.</summary>
[Collection(ProcessClusterCollection.Name)]
public sealed class SiloConfigurationProcessTests
{
    [Theory]
    [InlineData("Pixerve:Jobs:Concurrency", "-1")]
    [InlineData("Pixerve:Staging:SweepPeriod", "00:00:00")]
    [InlineData("Pixerve:Webhooks:Secret", "too-short")]
    public async Task A_bad_value_stops_the_silo_with_a_message_naming_its_key(string key, string value)
    {
        var settings = new Dictionary<string, string> { ["Pixerve:Webhooks:Secret"] = "a-valid-webhook-secret-0123456789abcdef" };
        settings[key] = value;
        await using var silo = SiloProcess.Start(settings);
        await Poll.UntilAsync(() => silo.HasExited, TimeSpan.FromMinutes(1), "the silo to refuse its configuration");
        Assert.Contains(key, silo.Output);
        Assert.NotEqual(0, silo.ExitCode);
    }
}
