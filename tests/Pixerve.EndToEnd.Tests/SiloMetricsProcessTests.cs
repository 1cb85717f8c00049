using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Pixerve.Testing;
using Pixerve.Testing.Fixtures;

namespace Pixerve.EndToEnd.Tests;

/// <summary>A real silo process serving its own Prometheus endpoint on <c>Pixerve:Metrics:Port</c>.</summary>
[Collection(ProcessClusterCollection.Name)]
public sealed class SiloMetricsProcessTests : IAsyncLifetime
{
    private readonly int _metricsPort = ServerProcess.FreePort();
    private ProcessCluster _cluster = null!;
    private HttpClient _http = null!;
    private SiloProcess? _silo;

    public async Task InitializeAsync()
    {
        _cluster = await ProcessCluster.StartAsync(1, PixerveFixture.JwtSecret,
            extraSettings: _ => new Dictionary<string, string> { ["Pixerve:Metrics:Port"] = $"{_metricsPort}" });
        (_http, _silo) = (_cluster.Http, _cluster.Silos[0]);
    }

    [Fact]
    public async Task Silo_serves_job_conversion_queue_and_orleans_metrics_on_its_own_port()
    {
        var token = TestTokens.Mint(PixerveFixture.JwtSecret, new
        {
            formats = new { jpg = new { sizes = new[] { new[] { 300 } } }, webp = new { sizes = new[] { new[] { 300 } } } },
            directHost = true,
            subDir = "silo-metrics",
        });
        var content = new MultipartFormDataContent { { new ByteArrayContent(await File.ReadAllBytesAsync(RepositoryPaths.Image("va.jpg"))), "file", "va.jpg" } };
        using var upload = new HttpRequestMessage(HttpMethod.Post, "/upload") { Content = content };
        upload.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        using var uploaded = await _http.SendAsync(upload);
        await HttpAssert.AssertOk(uploaded);
        var hash = (await uploaded.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("hash").GetString()!;

        await Poll.UntilAsync(async () =>
        {
            if (_silo!.HasExited) throw new InvalidOperationException($"the silo exited:\n{_silo.Output}");
            using var status = new HttpRequestMessage(HttpMethod.Get, $"/status?hash={hash}");
            status.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
            using var response = await _http.SendAsync(status);
            return response.IsSuccessStatusCode &&
                   (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("status").GetString() == "completed";
        }, TimeSpan.FromMinutes(1), "the job to complete");

        var scrape = "";
        using var metrics = new HttpClient();
        await Poll.UntilAsync(async () =>
        {
            scrape = await PrometheusText.ScrapeAsync(metrics, $"http://localhost:{_metricsPort}/metrics");
            return PrometheusText.Sum(scrape, "pixerve_jobs_total", "status=\"completed\"") == 1;
        }, TimeSpan.FromSeconds(30), "the silo's job counter");
        Assert.Equal(1, PrometheusText.Sum(scrape, "pixerve_conversion_duration_seconds_count", "format=\"jpg\""));
        Assert.Equal(1, PrometheusText.Sum(scrape, "pixerve_conversion_duration_seconds_count", "format=\"webp\""));
        Assert.Equal(2, PrometheusText.Sum(scrape, "pixerve_storage_write_duration_seconds_count", "backend=\"direct\"", "outcome=\"ok\""));
        Assert.Contains($":{_silo!.SiloPort}:", scrape.Split('\n').Single(l => l.StartsWith("pixerve_queue_depth{", StringComparison.Ordinal)));
        Assert.Contains("orleans_messaging_", scrape);

        // The default host answers by its address too, not only to Host: localhost.
        var byAddress = await PrometheusText.ScrapeAsync(metrics, $"http://127.0.0.1:{_metricsPort}/metrics");
        Assert.Equal(1, PrometheusText.Sum(byAddress, "pixerve_jobs_total", "status=\"completed\""));
    }

    public async Task DisposeAsync() => await _cluster.DisposeAsync();
}
