using System.Net;
using System.Net.Sockets;
using System.Text;
using Microsoft.Extensions.Options;

namespace Pixerve.Grains.Webhooks;

public sealed record WebhookAttempt(bool Delivered, int? StatusCode, string? Error);

/// <summary>
/// Posts signed callbacks. The destination address is checked when the connection is made, after DNS
/// resolution, so a name that resolves to a private address is refused as well.
/// </summary>
public sealed class WebhookSender : IDisposable
{
    private readonly WebhookOptions _options;
    private readonly HttpClient _http;
    private readonly Func<string, CancellationToken, Task<IPAddress[]>> _resolve;
    private readonly Func<IPAddress[], int, CancellationToken, ValueTask<Stream>> _connect;

    public WebhookSender(IOptions<WebhookOptions> options) : this(options, null, null) { }

    /// <summary>For tests: a resolver and a socket opener in place of DNS and TCP.</summary>
    internal WebhookSender(
        IOptions<WebhookOptions> options,
        Func<string, CancellationToken, Task<IPAddress[]>>? resolve,
        Func<IPAddress[], int, CancellationToken, ValueTask<Stream>>? connect)
    {
        _options = options.Value;
        _resolve = resolve ?? ((host, ct) => Dns.GetHostAddressesAsync(host, ct));
        _connect = connect ?? OpenSocketAsync;
        Handler = new SocketsHttpHandler
        {
            AllowAutoRedirect = false,
            // A proxy from HTTP(S)_PROXY would make the connection for us, to an address this guard never sees.
            UseProxy = false,
            PooledConnectionLifetime = TimeSpan.FromMinutes(5),
            ConnectCallback = ConnectAsync,
        };
        _http = new HttpClient(Handler) { Timeout = _options.Timeout };
    }

    internal SocketsHttpHandler Handler { get; }

    /// <param name="messageId">The same for every attempt at one callback, so a receiver can drop duplicates.</param>
    public async Task<WebhookAttempt> SendAsync(string url, IReadOnlyDictionary<string, string> headers, byte[] body, string messageId)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new("application/json");
        foreach (var (name, value) in headers)
        {
            if (!request.Headers.TryAddWithoutValidation(name, value)) request.Content.Headers.TryAddWithoutValidation(name, value);
        }

        // The job's own headers may not stand in for the signature.
        var timestamp = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        foreach (var name in new[] { StandardWebhookSignature.IdHeader, StandardWebhookSignature.TimestampHeader, StandardWebhookSignature.SignatureHeader })
            request.Headers.Remove(name);
        request.Headers.TryAddWithoutValidation(StandardWebhookSignature.IdHeader, messageId);
        request.Headers.TryAddWithoutValidation(StandardWebhookSignature.TimestampHeader, timestamp.ToString(System.Globalization.CultureInfo.InvariantCulture));
        request.Headers.TryAddWithoutValidation(StandardWebhookSignature.SignatureHeader,
            StandardWebhookSignature.Sign(_options.Key, messageId, timestamp, body));
        try
        {
            using var response = await _http.SendAsync(request);
            var status = (int)response.StatusCode;
            return response.IsSuccessStatusCode
                ? new WebhookAttempt(true, status, null)
                : new WebhookAttempt(false, status, $"the callback answered {status}");
        }
        catch (HttpRequestException e)
        {
            return new WebhookAttempt(false, null, e.InnerException is RefusedAddressException refused ? refused.Message : e.Message);
        }
        catch (TaskCanceledException)
        {
            return new WebhookAttempt(false, null, $"the callback did not answer within {_options.Timeout.TotalSeconds:F0} s");
        }
    }

    private async ValueTask<Stream> ConnectAsync(SocketsHttpConnectionContext context, CancellationToken cancellationToken)
    {
        var addresses = await _resolve(context.DnsEndPoint.Host, cancellationToken);
        var allowed = _options.AllowPrivateNetworks ? addresses : addresses.Where(NetworkGuard.IsPublic).ToArray();
        if (allowed.Length == 0)
            throw new RefusedAddressException($"the callback host {context.DnsEndPoint.Host} resolves only to loopback, private, link-local or other non-global addresses");
        return await _connect(allowed, context.DnsEndPoint.Port, cancellationToken);
    }

    private static async ValueTask<Stream> OpenSocketAsync(IPAddress[] allowed, int port, CancellationToken cancellationToken)
    {
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(allowed, port, cancellationToken);
            return new NetworkStream(socket, ownsSocket: true);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    public void Dispose() => _http.Dispose();

    private sealed class RefusedAddressException(string message) : IOException(message);
}
