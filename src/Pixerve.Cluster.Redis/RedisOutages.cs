using Orleans.Clustering.Redis;
using Orleans.Persistence.Redis;
using Orleans.Reminders.Redis;
using StackExchange.Redis;

namespace Pixerve.Cluster.Redis;

/// <summary>
/// What a Redis that is down, restarting or hanging looks like to a caller, at the silo or through a grain call at the
/// gateway: the gateway answers those with 503 and <c>Retry-After</c>, never 500.
/// </summary>
public static class RedisOutages
{
    /// <summary>
    /// Server replies that mean "not now": the dataset still loading after a restart, a replica without its primary,
    /// a script running too long, a cluster resharding.
    /// </summary>
    private static readonly string[] TransientReplies = ["LOADING", "MASTERDOWN", "READONLY", "BUSY", "TRYAGAIN", "CLUSTERDOWN"];

    /// <summary>
    /// The client's own exceptions for a connection that is gone or a reply that did not come, the same wrapped by
    /// Orleans' Redis providers (which keep only the original's type name and message, not the exception), and a
    /// first connection that failed.
    /// </summary>
    public static bool IsUnavailable(Exception e) => e switch
    {
        RedisConnectionException or RedisTimeoutException or RedisClusterUnreachableException => true,
        RedisServerException { Message: var reply } => IsTransientReply(reply),
        RedisStorageException or RedisRemindersException or RedisClusteringException => Wraps(e.Message),
        _ => false,
    };

    private static bool IsTransientReply(string reply) =>
        TransientReplies.Any(r => reply.StartsWith(r, StringComparison.Ordinal));

    private static bool Wraps(string message) =>
        message.Contains(typeof(RedisConnectionException).FullName!, StringComparison.Ordinal)
        || message.Contains(typeof(RedisTimeoutException).FullName!, StringComparison.Ordinal)
        || message.Contains(typeof(RedisClusterUnreachableException).FullName!, StringComparison.Ordinal)
        || (message.Contains(typeof(RedisServerException).FullName + ": ", StringComparison.Ordinal)
            && TransientReplies.Any(r => message.Contains(typeof(RedisServerException).FullName + ": " + r, StringComparison.Ordinal)));
}
