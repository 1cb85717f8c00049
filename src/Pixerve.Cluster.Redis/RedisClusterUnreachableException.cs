namespace Pixerve.Cluster.Redis;

/// <summary>
/// Redis could not be used when the process first needed it (unreachable, refused the credentials, timed out). Its
/// message names <see cref="RedisClusterOptions.ConnectionStringKey"/> and the servers, never the password; the
/// original exception is not kept as the inner one, whose text this process does not control.
/// </summary>
public sealed class RedisClusterUnreachableException(string message, string cause) : Exception(message)
{
    /// <summary>The StackExchange.Redis exception type that stopped the connection.</summary>
    public string Cause { get; } = cause;
}
