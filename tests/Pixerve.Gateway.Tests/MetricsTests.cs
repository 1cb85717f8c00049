using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Pixerve.ServiceDefaults;
using Pixerve.Testing;
using Pixerve.Testing.Fixtures;

namespace Pixerve.Gateway.Tests;

/// <summary>
/// The gateway's <c>/metrics</c> and the silo's instruments, seen from outside. The instruments are per process and
/// other collections' tests record into them too, so the tests look for their own increments, never exact totals.
/// </summary>
[Collection(PixerveCollection.Name)]
public sealed class MetricsTests(PixerveFixture fixture)
{
    private const string Uploads = "pixerve_uploads_total";

    private static object Job(string subDir, string? callback = null) => new
    {
        formats = new { jpg = new { sizes = new[] { new[] { 400 } } }, webp = new { sizes = new[] { new[] { 200 } } } },
        directHost = true,
        subDir,
        completionCallback = callback,
    };

    [Fact]
    public async Task Gateway_metrics_count_accepted_and_refused_uploads_by_status()
    {
        var before = await fixture.Http.GetStringAsync("/metrics");
        var accepted = PrometheusText.Sum(before, Uploads, "outcome=\"accepted\"", "status=\"200\"");
        var unauthorised = PrometheusText.Sum(before, Uploads, "outcome=\"refused\"", "status=\"401\"");

        var token = fixture.Token(Job("metrics/gateway"));
        var hash = await UploadDistinctAsync(token);
        var final = await fixture.WaitUntilFinalAsync(hash, token);
        Assert.Equal("completed", final.GetProperty("status").GetString());
        using (var refused = await fixture.Http.SendAsync(fixture.Upload(RepositoryPaths.Image("va.jpg"), bearer: null)))
            Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);

        await Poll.UntilAsync(async () =>
        {
            var after = await fixture.Http.GetStringAsync("/metrics");
            // Orleans' meter comes along on the same endpoint. (ASP.NET Core's does too, but only while one web host
            // lives in the process: OpenTelemetry drops a meter's streams when another host's same-named meter is
            // disposed, as the tests' other web hosts are.)
            return after.Contains("orleans_messaging_") &&
                   PrometheusText.Sum(after, Uploads, "outcome=\"accepted\"", "status=\"200\"") >= accepted + 1 &&
                   PrometheusText.Sum(after, Uploads, "outcome=\"refused\"", "status=\"401\"") >= unauthorised + 1;
        }, TimeSpan.FromSeconds(30), "the upload counter to show both uploads");
    }

    [Fact]
    public async Task Silo_instruments_record_final_jobs_conversions_storage_writes_webhooks_and_queue_depth()
    {
        var seen = new ConcurrentQueue<(string Instrument, double Value, Dictionary<string, string?> Tags)>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == PixerveMetrics.MeterName) l.EnableMeasurementEvents(instrument);
        };
        listener.SetMeasurementEventCallback<long>((i, v, tags, _) => seen.Enqueue((i.Name, v, Tags(tags))));
        listener.SetMeasurementEventCallback<double>((i, v, tags, _) => seen.Enqueue((i.Name, v, Tags(tags))));
        listener.SetMeasurementEventCallback<int>((i, v, tags, _) => seen.Enqueue((i.Name, v, Tags(tags))));
        listener.Start();

        await using var receiver = await WebhookReceiver.StartAsync();
        var token = fixture.Token(Job("metrics/silo", receiver.Url));
        var hash = await UploadDistinctAsync(token);
        Assert.Equal("completed", (await fixture.WaitUntilFinalAsync(hash, token)).GetProperty("status").GetString());

        bool Saw(string instrument, string tag, string value, bool positive = false) => seen.Any(m =>
            m.Instrument == instrument && m.Tags.GetValueOrDefault(tag) == value && (!positive || m.Value > 0));
        await Poll.UntilAsync(() => Saw("pixerve.webhook.attempts", "outcome", "delivered"), TimeSpan.FromSeconds(30), "the webhook attempt");
        Assert.True(Saw("pixerve.jobs", "status", "completed"), "a completed job");
        Assert.True(Saw("pixerve.conversion.duration", "format", "jpg", positive: true), "a jpg encode time");
        Assert.True(Saw("pixerve.conversion.duration", "format", "webp", positive: true), "a webp encode time");
        Assert.True(Saw("pixerve.storage.write.duration", "backend", "direct", positive: true), "a direct-host write time");

        listener.RecordObservableInstruments();
        var silo = fixture.Cluster.Primary!.SiloAddress.ToString();
        Assert.Contains(seen, m => m.Instrument == "pixerve.queue.depth" && m.Tags.GetValueOrDefault("silo") == silo);
        Assert.Contains(seen, m => m.Instrument == "pixerve.queue.running" && m.Tags.GetValueOrDefault("silo") == silo);
    }

    /// <summary>An upload of its own: bytes after the JPEG end marker change the hash, not the image.</summary>
    private async Task<string> UploadDistinctAsync(string token)
    {
        var bytes = await File.ReadAllBytesAsync(RepositoryPaths.Image("va.jpg"));
        var file = new ByteArrayContent([.. bytes, .. Guid.NewGuid().ToByteArray()]);
        file.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        using var request = new HttpRequestMessage(HttpMethod.Post, "/upload") { Content = new MultipartFormDataContent { { file, "file", "metrics.jpg" } } };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        using var response = await fixture.Http.SendAsync(request);
        await HttpAssert.AssertOk(response);
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("hash").GetString()!;
    }

    private static Dictionary<string, string?> Tags(ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        var result = new Dictionary<string, string?>();
        foreach (var (key, value) in tags) result[key] = value?.ToString();
        return result;
    }
}
