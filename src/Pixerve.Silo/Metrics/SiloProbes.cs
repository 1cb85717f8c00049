using System.Net;
using System.Text;
using Microsoft.Extensions.Logging;

namespace Pixerve.Silo.Metrics;

/// <summary>
/// Orchestrator probes on the silo's metrics port (<see cref="MetricsOptions"/>), beside <c>/metrics</c>, or on
/// <c>Pixerve:Metrics:ProbePort</c> alone:
/// <c>/health/live</c> answers 200 while the process serves HTTP (restart it when not); <c>/health/ready</c> answers
/// 200 only while this silo is an active member of the cluster — not while it is joining, nor once it is shutting down —
/// and 503 otherwise. Plain <c>Healthy</c>/<c>Unhealthy</c> text, as the gateway's probes.
/// </summary>
public sealed class SiloProbes(MetricsOptions options, IServiceProvider services, ILogger<SiloProbes> logger) : BackgroundService
{
    public const string LivePath = "/health/live";
    public const string ReadyPath = "/health/ready";

    private readonly HttpListener _listener = new();

    public override Task StartAsync(CancellationToken cancellationToken)
    {
        // On the exporter's port a second listener: HttpListener routes /health/* here (the longer prefix), the rest
        // there. On a probe port of its own, /health/* is all it serves (anything else is HttpListener's 404).
        foreach (var prefix in options.ListenerPrefixes(options.EffectiveProbePort, "/health/")) _listener.Prefixes.Add(prefix);
        _listener.Start();
        return base.StartAsync(cancellationToken);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var stopping = stoppingToken.Register(_listener.Stop);
        while (!stoppingToken.IsCancellationRequested)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync();
            }
            catch (Exception) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (HttpListenerException e)
            {
                logger.LogWarning(e, "The probe listener failed");
                continue;
            }

            Answer(context);
        }
    }

    private void Answer(HttpListenerContext context)
    {
        var response = context.Response;
        try
        {
            var (status, text) = context.Request.Url?.AbsolutePath switch
            {
                LivePath => (HttpStatusCode.OK, "Healthy"),
                ReadyPath => IsActive() ? (HttpStatusCode.OK, "Healthy") : (HttpStatusCode.ServiceUnavailable, "Unhealthy"),
                _ => (HttpStatusCode.NotFound, "Not Found"),
            };
            var body = Encoding.UTF8.GetBytes(text);
            response.StatusCode = (int)status;
            response.ContentType = "text/plain; charset=utf-8";
            response.Headers["Cache-Control"] = "no-store";
            response.ContentLength64 = body.Length;
            if (context.Request.HttpMethod != "HEAD") response.OutputStream.Write(body);
        }
        catch (Exception e) when (e is HttpListenerException or IOException)
        {
            // The prober went away; nothing to answer.
        }
        finally
        {
            response.Close();
        }
    }

    /// <summary>True while the cluster's membership (as this silo sees it) has this silo as Active.</summary>
    private bool IsActive()
    {
        try
        {
            var self = services.GetRequiredService<ILocalSiloDetails>().SiloAddress;
            return services.GetRequiredService<IClusterMembershipService>().CurrentSnapshot.GetSiloStatus(self) == SiloStatus.Active;
        }
        catch (Exception e) when (e is InvalidOperationException or ObjectDisposedException)
        {
            // Orleans not started yet, or already disposed.
            return false;
        }
    }

    public override void Dispose()
    {
        base.Dispose();
        _listener.Close();
    }
}
