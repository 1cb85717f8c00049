using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using Pixerve.Gateway.Apis;
using Pixerve.Gateway.Cluster;

namespace Pixerve.Gateway.Health;

/// <summary>
/// A stopping gateway (SIGTERM) first drains: for <see cref="GatewayClientOptions.ShutdownDelay"/> it still serves,
/// but <c>/health/ready</c> fails (the load balancer takes it out of rotation) and new uploads get 503 with
/// <c>Retry-After</c> (a client sends them again, to another gateway); then the server stops listening and finishes
/// the requests in flight. Without the delay, uploads still on their way when it stops listening are refused
/// connections instead of answered.
/// </summary>
public sealed class GatewayDrain(IOptions<GatewayClientOptions> options, ILogger<GatewayDrain> logger) : IHostedLifecycleService, IHealthCheck
{
    private volatile bool _draining;

    public bool Draining => _draining;

    public async Task StoppingAsync(CancellationToken cancellationToken)
    {
        _draining = true;
        var delay = options.Value.ShutdownDelay;
        logger.LogInformation("Stopping: not ready, refusing new uploads for {Delay} before the server stops listening", delay);
        try
        {
            await Task.Delay(delay, cancellationToken);
        }
        catch (OperationCanceledException)
        {
            // The host's own shutdown timeout ended the drain early.
        }
    }

    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(_draining ? HealthCheckResult.Unhealthy("the gateway is stopping") : HealthCheckResult.Healthy());

    public Task StartingAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}

public static class GatewayDrainExtensions
{
    /// <summary>While the gateway drains, new uploads are answered 503 with <c>Retry-After</c> before anything is read.</summary>
    public static IApplicationBuilder UseGatewayDrain(this IApplicationBuilder app)
    {
        var drain = app.ApplicationServices.GetRequiredService<GatewayDrain>();
        return app.Use(async (context, next) =>
        {
            if (drain.Draining && HttpMethods.IsPost(context.Request.Method) && context.Request.Path.StartsWithSegments("/upload"))
            {
                context.Response.Headers.RetryAfter = ClusterCalls.RetryAfterSeconds;
                context.Response.Headers.Connection = "close";
                await ProblemResponses.WriteAsync(context, StatusCodes.Status503ServiceUnavailable,
                    "this gateway is stopping: send the upload again (another gateway takes it)");
                return;
            }

            await next(context);
        });
    }
}
