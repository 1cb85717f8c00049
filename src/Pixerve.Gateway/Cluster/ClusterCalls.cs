using Azure;
using Microsoft.AspNetCore.Diagnostics;
using Pixerve.Cluster.Redis;
using Pixerve.Gateway.Apis;
using Pixerve.ServiceDefaults;

namespace Pixerve.Gateway.Cluster;

/// <summary>
/// Calls that fail because the cluster or its storage cannot be reached right now: a silo died or is unknown, a message
/// was rejected, no gateway answers, the call timed out, the storage account or the cluster's database is down or
/// hangs. They pass; the answer is 503 with <c>Retry-After</c>, never 500.
/// </summary>
public static class ClusterCalls
{
    public const string RetryAfterSeconds = "5";
    public const string UnavailableDetail = "the cluster cannot be reached right now (a silo may be restarting); try again shortly";

    /// <summary>
    /// Every Orleans failure (silo unavailable, rejection, connection, gateway too busy, reminder service), a timeout,
    /// and the client knowing no silo that hosts the grain (its cluster manifest is empty while no silo is up).
    /// </summary>
    public static bool IsUnavailable(Exception e) => e switch
    {
        OrleansException or TimeoutException => true,
        // The storage account (staging, or grain state behind a grain call): down, overloaded, or not answering.
        RequestFailedException { Status: 0 or 408 or 429 or >= 500 } => true,
        // The cluster's database (Pixerve:Cluster:Provider = postgres) behind a grain call: down, restarting, refusing
        // connections or out of them. Whatever its cause, it is the store's failure, never the request's.
        System.Data.Common.DbException => true,
        // A staging store of another provider (a shared volume, an S3 server) that cannot be used right now.
        Pixerve.Staging.StagingUnavailableException => true,
        // The Azure SDK's retries used up: every try failed one of those ways, or ran out of its network timeout.
        AggregateException { InnerExceptions: { Count: > 0 } inner } => inner.All(i => IsUnavailable(i) || i is OperationCanceledException),
        ArgumentException { Message: var message } => message.StartsWith("Could not find an implementation for interface", StringComparison.Ordinal),
        // Redis (Pixerve:Cluster:Provider=redis) down, restarting or hanging, behind a grain call or the cluster client.
        _ when RedisOutages.IsUnavailable(e) => true,
        _ => false,
    };

    /// <summary>Three calls in all, 300 then 600 ms apart, while the cluster is unavailable; any other failure at once.</summary>
    public static Retries Retry { get; } = new("pixerve.cluster-call", 3, TimeSpan.FromMilliseconds(300), Polly.DelayBackoffType.Linear, IsUnavailable);

    /// <summary>Calls an idempotent grain method, asking again a couple of times while the cluster settles.</summary>
    public static Task<T> RetryAsync<T>(Func<Task<T>> call, ILogger logger) =>
        Retry.RunAsync(call, (e, _, _) => logger.LogInformation("A grain call failed ({Error}); asking again", e.Message));

    /// <summary>Turns an unavailable cluster met by any endpoint into a 503 problem.</summary>
    public sealed class ExceptionHandler(ILogger<ExceptionHandler> logger) : IExceptionHandler
    {
        public async ValueTask<bool> TryHandleAsync(HttpContext context, Exception exception, CancellationToken cancellationToken)
        {
            // A storage call cut off by its own network timeout is unavailability too; one cut off by the client leaving is not.
            var timedOut = exception is OperationCanceledException && !context.RequestAborted.IsCancellationRequested;
            if (!(IsUnavailable(exception) || timedOut) || context.Response.HasStarted) return false;
            logger.LogWarning("{Method} {Path}: the cluster cannot be reached ({Error})", context.Request.Method, context.Request.Path, exception.Message);
            context.Response.Headers.RetryAfter = RetryAfterSeconds;
            await ProblemResponses.WriteAsync(context, StatusCodes.Status503ServiceUnavailable, UnavailableDetail);
            return true;
        }
    }
}
