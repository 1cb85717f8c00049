using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Pixerve.Testing.Fixtures;

public sealed record ReceivedCallback(byte[] Body, IReadOnlyDictionary<string, string> Headers);

/// <summary>A real HTTP server on loopback that records callbacks and fails the first <c>failures</c> of them.</summary>
public sealed class WebhookReceiver : IAsyncDisposable
{
    private readonly WebApplication _app;
    private int _remainingFailures;

    private WebhookReceiver(WebApplication app, int failures)
    {
        _app = app;
        _remainingFailures = failures;
    }

    public ConcurrentQueue<ReceivedCallback> Received { get; } = new();
    public string Url { get; private set; } = "";

    /// <summary>Callbacks that have arrived, counted before any <c>hold</c>.</summary>
    public int Arrived => Volatile.Read(ref _arrived);
    private int _arrived;

    /// <param name="hold">How long each callback is held before it is answered (a slow receiver).</param>
    public static async Task<WebhookReceiver> StartAsync(int failures = 0, TimeSpan hold = default)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var receiver = new WebhookReceiver(app, failures);
        app.MapPost("/hook", async (HttpRequest request) =>
        {
            using var body = new MemoryStream();
            await request.Body.CopyToAsync(body);
            Interlocked.Increment(ref receiver._arrived);
            if (hold > TimeSpan.Zero) await Task.Delay(hold);
            receiver.Received.Enqueue(new ReceivedCallback(body.ToArray(),
                request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase)));
            return Interlocked.Decrement(ref receiver._remainingFailures) >= 0 ? Results.StatusCode(500) : Results.Ok();
        });
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        receiver.Url = address + "/hook";
        return receiver;
    }

    public ValueTask DisposeAsync() => _app.DisposeAsync();
}
