using Pixerve.Testing;

namespace Pixerve.EndToEnd.Tests;

/// <summary>
/// A silo on <c>Pixerve:Cluster:Provider = redis</c> whose connection string is bad, or names a server that does not
/// answer or refuses its password, stops at start with a message naming the key and never printing the password.
/// </summary>
[Collection(ProcessClusterCollection.Name)]
public sealed class RedisClusterStartTests
{
    private const string Key = "Pixerve:Cluster:Redis:ConnectionString";
    private const string Password = "p4ss-that-must-never-be-printed-7Qx2";

    private static async Task<SiloProcess> StartSiloAsync(string connectionString)
    {
        var silo = SiloProcess.Start(new Dictionary<string, string>
        {
            ["Pixerve:Webhooks:Secret"] = "a-valid-webhook-secret-0123456789abcdef",
            ["Pixerve:Cluster:Provider"] = "redis",
            [Key] = connectionString,
        });
        await Poll.UntilAsync(() => silo.HasExited, TimeSpan.FromMinutes(1), "the silo to refuse its Redis");
        return silo;
    }

    private static void AssertRefused(SiloProcess silo)
    {
        Assert.NotEqual(0, silo.ExitCode);
        Assert.Contains(Key, silo.Output);
        Assert.DoesNotContain(Password, silo.Output);
    }

    [Theory]
    [InlineData($"127.0.0.1:6379,password={Password},no-such-option=1")]
    [InlineData($"password={Password}")]
    [InlineData("")]
    public async Task A_bad_connection_string_stops_the_silo_naming_the_key(string connectionString)
    {
        await using var silo = await StartSiloAsync(connectionString);
        AssertRefused(silo);
    }

    [Fact]
    public async Task An_unreachable_server_stops_the_silo_naming_the_key()
    {
        // A port nothing listens on.
        await using var silo = await StartSiloAsync($"127.0.0.1:{ServerProcess.FreePort()},password={Password},connectTimeout=2000");
        AssertRefused(silo);
        Assert.Contains("cannot use Redis", silo.Output);
    }

    [Fact]
    public async Task A_wrong_password_stops_the_silo_naming_the_key()
    {
        await using var redis = await RedisServer.StartAsync(password: "the-right-password-0123456789abcdef");
        await using var silo = await StartSiloAsync($"127.0.0.1:{redis.Port},password={Password},connectTimeout=2000");
        AssertRefused(silo);
    }
}
