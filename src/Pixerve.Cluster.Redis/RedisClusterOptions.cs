using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Pixerve.Cluster.Redis;

/// <summary>Bound from <c>Pixerve:Cluster:Redis</c> when <c>Pixerve:Cluster:Provider</c> is <c>redis</c>.</summary>
public sealed class RedisClusterOptions
{
    public const string Section = "Pixerve:Cluster:Redis";
    public const string ConnectionStringKey = Pixerve.ServiceDefaults.ClusteringOptions.RedisConnectionStringKey;

    /// <summary>A StackExchange.Redis configuration string (<c>host:6379,password=…,ssl=true,defaultDatabase=2</c>).</summary>
    public string? ConnectionString { get; set; }

    /// <summary>
    /// The connection string of <paramref name="configuration"/> parsed, or a start refusal naming
    /// <see cref="ConnectionStringKey"/>. The message never holds the value itself: it may carry a password.
    /// </summary>
    public static ConfigurationOptions Read(IConfiguration configuration)
    {
        var options = new RedisClusterOptions();
        configuration.GetSection(Section).Bind(options);
        if (string.IsNullOrWhiteSpace(options.ConnectionString)) throw Refusal("is not set (Pixerve:Cluster:Provider is redis)");

        ConfigurationOptions parsed;
        try
        {
            parsed = ConfigurationOptions.Parse(options.ConnectionString);
        }
        catch (ArgumentException e)
        {
            // StackExchange.Redis names the keyword it refused, never the value.
            throw Refusal($"is not a StackExchange.Redis configuration string ({e.Message})");
        }

        if (parsed.EndPoints.Count == 0) throw Refusal("names no server (host:port)");
        return parsed;
    }

    private static OptionsValidationException Refusal(string problem) =>
        new(Section, typeof(RedisClusterOptions), [$"{ConnectionStringKey}: {problem}"]);
}
