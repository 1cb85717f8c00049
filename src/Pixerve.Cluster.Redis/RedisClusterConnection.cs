using StackExchange.Redis;

namespace Pixerve.Cluster.Redis;

/// <summary>
/// The one connection to Redis a process shares between membership, grain state, reminders and the key ring (each
/// of Orleans' providers would open its own otherwise). The first use connects and pings: a server that cannot be
/// reached or refuses the credentials stops the process with a message naming
/// <see cref="RedisClusterOptions.ConnectionStringKey"/>, without the password. Once connected, StackExchange.Redis
/// reconnects by itself after an outage.
/// </summary>
public sealed class RedisClusterConnection(ConfigurationOptions options) : IAsyncDisposable
{
    private readonly SemaphoreSlim _connecting = new(1, 1);
    private ConnectionMultiplexer? _multiplexer;

    /// <summary>The servers, as a log or an error may name them: no password.</summary>
    public string Servers => string.Join(", ", options.EndPoints.Select(e => e is System.Net.DnsEndPoint dns ? $"{dns.Host}:{dns.Port}" : e.ToString()));

    public async Task<IConnectionMultiplexer> GetAsync()
    {
        if (_multiplexer is { } connected) return connected;
        await _connecting.WaitAsync();
        try
        {
            return _multiplexer ??= await ConnectAsync();
        }
        finally
        {
            _connecting.Release();
        }
    }

    /// <summary>For the key ring, whose repository asks for its database synchronously.</summary>
    public IDatabase Database => GetAsync().GetAwaiter().GetResult().GetDatabase();

    private async Task<ConnectionMultiplexer> ConnectAsync()
    {
        ConnectionMultiplexer? multiplexer = null;
        try
        {
            multiplexer = await ConnectionMultiplexer.ConnectAsync(options.Clone());
            // With abortConnect=false the connect returns unconnected; the ping fails then too.
            await multiplexer.GetDatabase().PingAsync();
            return multiplexer;
        }
        catch (Exception e) when (e is RedisException or TimeoutException)
        {
            if (multiplexer is not null) await multiplexer.DisposeAsync();
            throw new RedisClusterUnreachableException(
                $"{RedisClusterOptions.ConnectionStringKey}: cannot use Redis at {Servers}: {Redacted(e.Message)}", e.GetType().FullName!);
        }
    }

    /// <summary>StackExchange.Redis does not print passwords in its errors; this makes sure of it.</summary>
    private string Redacted(string message) =>
        options.Password is { Length: > 0 } password ? message.Replace(password, "***", StringComparison.Ordinal) : message;

    public async ValueTask DisposeAsync()
    {
        if (_multiplexer is { } multiplexer) await multiplexer.DisposeAsync();
        _connecting.Dispose();
    }
}
