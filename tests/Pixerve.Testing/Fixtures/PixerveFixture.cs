using System.Net.Http.Headers;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Orleans.TestingHost;
using Pixerve.Gateway.Hosting;
using Pixerve.Gateway.Staging;
using Pixerve.Grains.Jobs;
using Pixerve.ServiceDefaults;

namespace Pixerve.Testing.Fixtures;

/// <summary>
/// One real Azurite, one Orleans test cluster configured like production, and the gateway on a loopback
/// port, shared by the tests of a collection. The storage backends' servers (s3rver, sshd, the GCS fake) start
/// only when a test first asks for one (<see cref="S3Async"/>, <see cref="SshdAsync"/>, <see cref="GcsAsync"/>):
/// most collections never store to them, and starting them cost every collection seconds.
/// </summary>
public class PixerveFixture : IAsyncLifetime
{
    public const string JwtSecret = "test-secret-that-is-long-enough-for-hs256-0123456789";
    public const string AdminToken = "test-admin-token-0123456789abcdefghij";
    public const string WebhookSecret = "test-webhook-secret-long-enough-for-hmac-0123456789";

    private AzuriteServer? _azurite;
    private readonly Lazy<Task<S3rverServer>> _s3 = new(S3rverServer.StartAsync);
    private readonly Lazy<Task<SshdServer>> _sshd = new(SshdServer.StartAsync);
    private readonly Lazy<Task<FakeGcsServer>> _gcs = new(FakeGcsServer.StartAsync);
    private WebApplication? _gateway;
    private Dictionary<string, string?> _settings = [];

    public TestCluster Cluster { get; private set; } = null!;
    public HttpClient Http { get; private set; } = null!;
    public string ServeDir { get; } = Directory.CreateTempSubdirectory("pixerve-serve-").FullName;
    public StagingStore Staging => _gateway!.Services.GetRequiredService<StagingStore>();
    public string StorageConnectionString => _azurite!.ConnectionString;

    /// <summary>The S3 server, started by the first test that asks for it and shared from then on.</summary>
    public Task<S3rverServer> S3Async() => _s3.Value;

    /// <summary>The SFTP server, started by the first test that asks for it and shared from then on.</summary>
    public Task<SshdServer> SshdAsync() => _sshd.Value;

    /// <summary>The GCS fake, started by the first test that asks for it and shared from then on.</summary>
    public Task<FakeGcsServer> GcsAsync() => _gcs.Value;

    protected virtual int SiloCount => 1;

    /// <summary>One conversion at a time per silo, so tests can reason about queue order.</summary>
    protected virtual IEnumerable<KeyValuePair<string, string?>> Settings =>
    [
        new("Pixerve:Jobs:Concurrency", "1"),
        new("Pixerve:Jobs:MaxRetries", "1"),
        new("Pixerve:Jobs:ResumePeriod", "00:00:03"),
        new("Pixerve:Webhooks:AllowPrivateNetworks", "true"),
        new("Pixerve:Webhooks:FirstRetryDelay", "00:00:00.200"),
    ];

    /// <summary>Adds to the test cluster before it is built (fault injection, for one).</summary>
    protected virtual void ConfigureCluster(TestClusterBuilder builder)
    {
    }

    /// <summary>A service of one in-process silo (the primary by default).</summary>
    public T SiloService<T>(SiloHandle? silo = null) where T : notnull =>
        ((InProcessSiloHandle)(silo ?? Cluster.Primary)!).SiloHost!.Services.GetRequiredService<T>();

    /// <summary>A service of the fixture's gateway.</summary>
    public T GatewayService<T>() where T : notnull => _gateway!.Services.GetRequiredService<T>();

    /// <summary>The queue of one in-process silo (the primary by default).</summary>
    public JobQueue Queue(SiloHandle? silo = null) =>
        ((InProcessSiloHandle)(silo ?? Cluster.Primary)!).SiloHost!.Services.GetRequiredService<JobQueue>();

    public async Task InitializeAsync()
    {
        try
        {
            await StartAsync();
        }
        catch
        {
            // xunit does not dispose a fixture whose start failed: stop whatever did start, then fail. Within a
            // deadline: stopping a cluster whose silo never finished starting can wait forever, and the run would
            // hang until its blame timeout instead of reporting this fixture's failure.
            try
            {
                await DisposeAsync().WaitAsync(TimeSpan.FromMinutes(1));
            }
            catch (TimeoutException)
            {
            }

            throw;
        }
    }

    private async Task StartAsync()
    {
        _azurite = await AzuriteServer.StartAsync();
        var settings = new Dictionary<string, string?>
        {
            [PixerveConfiguration.StorageConnectionStringKey] = _azurite.ConnectionString,
            [PixerveConfiguration.ServeDirKey] = ServeDir,
            ["Pixerve:Jwt:Secret"] = JwtSecret,
            ["Pixerve:AdminToken"] = AdminToken,
            ["Pixerve:Webhooks:Secret"] = WebhookSecret,
            // Gateways stop at once at the end of a test run; the drain is tested where a gateway stops mid-test.
            ["Pixerve:Gateway:ShutdownDelay"] = "00:00:00",
        };
        foreach (var (key, value) in Settings) settings[key] = value;
        var builder = new TestClusterBuilder((short)SiloCount);
        // Per cluster, not static: fixtures of several collections run side by side.
        builder.ConfigureHostConfiguration(configuration => configuration.AddInMemoryCollection(settings));
        builder.AddSiloBuilderConfigurator<TestSiloConfigurator>();
        builder.AddClientBuilderConfigurator<TestClientConfigurator>();
        ConfigureCluster(builder);
        Cluster = builder.Build();
        await Cluster.DeployAsync();

        _settings = settings;
        (_gateway, Http) = await StartGatewayAsync();
    }

    /// <summary>What the live-answer validator saw so far in this test run (<see cref="OpenApiContract"/>).</summary>
    public static OpenApiContract Contract => OpenApiContract.Document;

    /// <summary>Another gateway on this cluster, with settings of its own on top of the fixture's.</summary>
    public Task<(WebApplication App, HttpClient Http)> StartGatewayAsync(params string[] extraSettings) =>
        StartGatewayAsync(null, extraSettings);

    /// <summary>Another gateway on this cluster, with services (<paramref name="services"/>) and settings of its own.</summary>
    public async Task<(WebApplication App, HttpClient Http)> StartGatewayAsync(Action<IServiceCollection>? services, params string[] extraSettings)
    {
        var args = _settings.Select(s => $"--{s.Key}={s.Value}").Append("--urls=http://127.0.0.1:0").Concat(extraSettings).ToArray();
        var gateway = GatewayApp.Build(args, Cluster.Client, services);
        await gateway.StartAsync();
        var address = gateway.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        // Every answer this client receives is checked against openapi/pixerve.v1.json: a test whose request gets
        // an answer the document does not declare fails, naming it. A gateway given services of a test's own (a
        // storage provider the repository does not ship) is held to the document it serves itself.
        var contract = OpenApiContract.Document;
        if (services is not null)
        {
            using var plain = new HttpClient { BaseAddress = new Uri(address) };
            contract = new OpenApiContract(await plain.GetStringAsync("/openapi/v1.json"), OpenApiContract.Document);
        }

        return (gateway, new HttpClient(new OpenApiValidatingHandler(contract))
        {
            BaseAddress = new Uri(address), Timeout = TimeSpan.FromMinutes(2),
        });
    }

    public string Token(object job) => TestTokens.Mint(JwtSecret, job);

    /// <summary>
    /// Asserts that nothing was staged since <paramref name="before"/>. Blobs of earlier jobs may have gone
    /// meanwhile: a job deletes its staged source just after it records its final status.
    /// </summary>
    public async Task AssertNothingNewStagedAsync(IReadOnlyCollection<string> before) =>
        Assert.Empty((await Staging.ListAsync(CancellationToken.None)).Except(before));

    public HttpRequestMessage Request(HttpMethod method, string path, string bearer)
    {
        var request = new HttpRequestMessage(method, path);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", bearer);
        return request;
    }

    public HttpRequestMessage Upload(string imagePath, string? bearer, string? formToken = null, string? fileName = null) =>
        UploadBytes(File.ReadAllBytes(imagePath), fileName ?? Path.GetFileName(imagePath), bearer, formToken);

    /// <summary>An upload of these bytes (<see cref="UniqueBytes"/>, say) as a file of that name.</summary>
    public static HttpRequestMessage UploadBytes(byte[] bytes, string fileName, string? bearer, string? formToken = null)
    {
        var form = new MultipartFormDataContent();
        if (formToken is not null) form.Add(new StringContent(formToken), "token");
        var file = new ByteArrayContent(bytes);
        file.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        form.Add(file, "file", fileName);
        var request = new HttpRequestMessage(HttpMethod.Post, "/upload") { Content = form };
        if (bearer is not null) request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", bearer);
        return request;
    }

    /// <summary>A request to an admin endpoint with the admin token and, when given, a JSON body.</summary>
    public HttpRequestMessage Admin(HttpMethod method, string path, object? body = null, string? token = AdminToken)
    {
        var request = new HttpRequestMessage(method, path);
        if (body is not null) request.Content = System.Net.Http.Json.JsonContent.Create(body);
        if (token is not null) request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return request;
    }

    public virtual async Task DisposeAsync()
    {
        Http?.Dispose();
        if (_gateway is not null) await _gateway.DisposeAsync();
        if (Cluster is not null) await Cluster.DisposeAsync();
        if (_azurite is not null) await _azurite.DisposeAsync();
        await StopAsync(_s3);
        await StopAsync(_sshd);
        await StopAsync(_gcs);
        Directory.Delete(ServeDir, recursive: true);
    }

    /// <summary>Stops a backend server if a test started one.</summary>
    private static async Task StopAsync<T>(Lazy<Task<T>> server) where T : IAsyncDisposable
    {
        if (!server.IsValueCreated) return;
        T started;
        try
        {
            started = await server.Value;
        }
        catch
        {
            // Its start failed: the test that asked for it failed with the reason, and there is nothing to stop.
            return;
        }

        await started.DisposeAsync();
    }
}
