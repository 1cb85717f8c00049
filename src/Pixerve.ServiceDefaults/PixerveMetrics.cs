using System.Collections.Concurrent;
using System.Diagnostics.Metrics;

namespace Pixerve.ServiceDefaults;

/// <summary>
/// Pixerve's own instruments, all on the one <see cref="MeterName"/> meter that gateways and silos export.
/// Static: recording costs next to nothing while nobody listens, and every host in a process (the tests run
/// several silos in one) records into the same instruments, told apart by their tags.
/// </summary>
public static class PixerveMetrics
{
    public const string MeterName = "Pixerve";

    private static readonly Meter Meter = new(MeterName, typeof(PixerveMetrics).Assembly.GetName().Version?.ToString());
    private static readonly ConcurrentDictionary<object, Func<QueueReading>> Queues = new();

    /// <summary>Gateway: every <c>POST /upload</c> answered, tagged <c>status</c> (HTTP code) and <c>outcome</c> (accepted | refused).</summary>
    public static readonly Counter<long> Uploads = Meter.CreateCounter<long>(
        "pixerve.uploads", "{upload}", "Uploads answered by the gateway, by HTTP status");

    /// <summary>Silo: jobs that reached a final status, tagged <c>status</c> (completed | failed | cancelled).</summary>
    public static readonly Counter<long> Jobs = Meter.CreateCounter<long>(
        "pixerve.jobs", "{job}", "Jobs that reached a final status");

    // pixerve.conversion.duration (encoding one output, tagged format) is recorded by Pixerve.Imaging on its own
    // meter of this name (ImagingTelemetry): the hosts subscribe by name, so it is exported with these.

    /// <summary>Silo: writing one file to a backend, retries included, tagged <c>backend</c> and <c>outcome</c> (ok | error).</summary>
    public static readonly Histogram<double> StorageWriteDuration = Meter.CreateHistogram<double>(
        "pixerve.storage.write.duration", "s", "Time to write one output file to a storage backend");

    /// <summary>
    /// Gateway and silo: requests sent to the storage account (<see cref="StorageRequestCounting"/>), tagged
    /// <c>service</c>, <c>method</c> and <c>resource</c>.
    /// </summary>
    public static readonly Counter<long> StorageRequests = Meter.CreateCounter<long>(
        "pixerve.storage.requests", "{request}", "Requests sent to the storage account, by service, method and container or table");

    /// <summary>Silo: webhook calls, tagged <c>outcome</c> (delivered | failed).</summary>
    public static readonly Counter<long> WebhookAttempts = Meter.CreateCounter<long>(
        "pixerve.webhook.attempts", "{attempt}", "Webhook calls, by outcome");

    static PixerveMetrics()
    {
        Meter.CreateObservableGauge("pixerve.queue.depth", () => Read(r => r.Depth), "{job}",
            "Jobs waiting in a silo's queue");
        Meter.CreateObservableGauge("pixerve.queue.running", () => Read(r => r.Running), "{job}",
            "Jobs a silo is converting now");
    }

    /// <summary>Reports a silo's queue in the gauges until the returned handle is disposed.</summary>
    public static IDisposable ObserveQueue(string silo, Func<(int Depth, int Running)> read)
    {
        var key = new object();
        Queues[key] = () =>
        {
            var (depth, running) = read();
            return new QueueReading(silo, depth, running);
        };
        return new Registration(() => Queues.TryRemove(key, out _));
    }

    private static IEnumerable<Measurement<int>> Read(Func<QueueReading, int> value) =>
        Queues.Values.Select(read => read()).Select(r => new Measurement<int>(value(r), new KeyValuePair<string, object?>("silo", r.Silo)));

    private sealed record QueueReading(string Silo, int Depth, int Running);

    private sealed class Registration(Action dispose) : IDisposable
    {
        public void Dispose() => dispose();
    }
}
