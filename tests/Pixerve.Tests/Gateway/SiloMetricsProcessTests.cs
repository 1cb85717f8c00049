using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Pixerve.Gateway;
using Pixerve.Tests.Infrastructure;

namespace Pixerve.Tests.Gateway;

/// <summary>A real silo process serving its own Prometheus endpoint on <c>Pixerve:Metrics:Port</c>.</summary>
public sealed class SiloMetricsProcessTests : IAsyncLifetime
{
    private readonly string _serveDir = Directory.CreateTempSubdirectory("pixerve-serve-").FullName;
    private readonly int _metricsPort = ServerProcess.FreePort();
    private AzuriteServer? _azurite;
    private SiloProcess? _silo;
    private WebApplication? _gateway;
    private HttpClient _http = null!;

    public async Task InitializeAsync()
    {
        _azurite = await AzuriteServer.StartAsync();
        var settings = new Dictionary<string, string>
        {
            [PixerveConfiguration.StorageConnectionStringKey] = _azurite.ConnectionString,
            [PixerveConfiguration.ServeDirKey] = _serveDir,
            ["Pixerve:Cluster:Mode"] = "azure",
            ["Pixerve:Cluster:Id"] = $"test-{Guid.NewGuid():N}",
        };
        _silo = SiloProcess.Start(new Dictionary<string, string>(settings) { ["Pixerve:Metrics:Port"] = $"{_metricsPort}" });
        var args = settings.Select(s => $"--{s.Key}={s.Value}")
            .Append($"--Pixerve:Jwt:Secret={PixerveFixture.JwtSecret}").Append("--urls=http://127.0.0.1:0").ToArray();
        _gateway = GatewayApp.Build(args);
        await _gateway.StartAsync();
        _http = new HttpClient { BaseAddress = new Uri(_gateway.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First()) };
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
        await UploadTests.AssertOk(uploaded);
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
    }

    public async Task DisposeAsync()
    {
        _http?.Dispose();
        if (_gateway is not null) await _gateway.DisposeAsync();
        if (_silo is not null) await _silo.DisposeAsync();
        if (_azurite is not null) await _azurite.DisposeAsync();
        Directory.Delete(_serveDir, recursive: true);
    }
}
