using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Pixerve.Testing;

/// <summary>
/// A TCP proxy on 127.0.0.1 in front of one or more loopback servers: each connection goes to the next upstream in turn
/// (<see cref="Upstreams"/>), and the proxy can drop the connection once, after the client has sent a given number of
/// bytes through it, as a phone's lost signal would. It records each connection's first request line per upstream.
/// </summary>
public sealed class LoopbackProxy : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _accepting;
    private long _clientBytes;
    private long _cutAfter;
    private int _next;

    public LoopbackProxy(params Uri[] upstreams)
    {
        Upstreams = upstreams;
        _listener.Start();
        _accepting = AcceptAsync();
    }

    public IReadOnlyList<Uri> Upstreams { get; }

    public Uri Address => new($"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}/");

    /// <summary>The first request line of every connection, with the index of the upstream it went to.</summary>
    public ConcurrentQueue<(int Upstream, string RequestLine)> Requests { get; } = new();

    /// <summary>Bytes the clients sent through the proxy in all.</summary>
    public long ClientBytes => Interlocked.Read(ref _clientBytes);

    /// <summary>Set when the proxy cut a connection: how many client bytes had gone through by then.</summary>
    public long? CutAt { get; private set; }

    /// <summary>
    /// Drops the connection in flight once, when the clients' bytes through the proxy pass <paramref name="bytes"/>: the
    /// bytes up to there are forwarded, then nothing more for <paramref name="stall"/> (a signal fading), then both sides
    /// are reset.
    /// </summary>
    public void CutOnceAfter(long bytes, TimeSpan stall = default)
    {
        _stall = stall;
        Interlocked.Exchange(ref _cutAfter, bytes);
    }

    private TimeSpan _stall;

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await _listener.AcceptTcpClientAsync(_stop.Token);
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException)
            {
                return;
            }

            var upstream = Interlocked.Increment(ref _next) - 1;
            _ = RelayAsync(client, upstream % Upstreams.Count);
        }
    }

    private async Task RelayAsync(TcpClient client, int index)
    {
        using var _ = client;
        using var server = new TcpClient();
        try
        {
            await server.ConnectAsync(IPAddress.Loopback, Upstreams[index].Port, _stop.Token);
            using var cut = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token);
            var up = CopyUpAsync(client.GetStream(), server.GetStream(), index, cut);
            var down = CopyAsync(server.GetStream(), client.GetStream(), cut.Token);
            await Task.WhenAny(up, down);
            await cut.CancelAsync();
        }
        catch (Exception e) when (e is IOException or SocketException or OperationCanceledException or ObjectDisposedException)
        {
        }
        finally
        {
            // A reset, not a graceful close, when the connection was cut: the client sees its request broken.
            client.Client.LingerState = new LingerOption(true, 0);
        }
    }

    private async Task CopyUpAsync(NetworkStream from, NetworkStream to, int upstream, CancellationTokenSource cut)
    {
        var buffer = new byte[16 * 1024];
        var first = true;
        while (true)
        {
            var read = await from.ReadAsync(buffer, cut.Token);
            if (read == 0) return;
            if (first)
            {
                var text = Encoding.ASCII.GetString(buffer, 0, Math.Min(read, 200));
                Requests.Enqueue((upstream, text.Split("\r\n")[0]));
                first = false;
            }

            var total = Interlocked.Add(ref _clientBytes, read);
            var cutAfter = Interlocked.Read(ref _cutAfter);
            if (cutAfter > 0 && total >= cutAfter && Interlocked.CompareExchange(ref _cutAfter, 0, cutAfter) == cutAfter)
            {
                // Forward the bytes up to the cut, then drop both sides.
                var before = (int)(read - (total - cutAfter));
                if (before > 0) await to.WriteAsync(buffer.AsMemory(0, before), cut.Token);
                if (_stall > TimeSpan.Zero) await Task.Delay(_stall, cut.Token);
                CutAt = cutAfter;
                await cut.CancelAsync();
                return;
            }

            await to.WriteAsync(buffer.AsMemory(0, read), cut.Token);
        }
    }

    private static async Task CopyAsync(NetworkStream from, NetworkStream to, CancellationToken cancellationToken)
    {
        var buffer = new byte[16 * 1024];
        int read;
        while ((read = await from.ReadAsync(buffer, cancellationToken)) > 0) await to.WriteAsync(buffer.AsMemory(0, read), cancellationToken);
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        try
        {
            await _accepting;
        }
        catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException)
        {
        }

        _stop.Dispose();
    }
}
