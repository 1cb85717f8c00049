using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.RegularExpressions;
using Pixerve.Client;

namespace Pixerve.Client.Tests;

/// <summary>What the .NET client puts on the wire, against loopback servers of the test's own (no cluster).</summary>
public sealed class PixerveClientWireTests
{
    private const string Answer = """{"hash":"h","job_id":"j","expected_files":[],"status":"pending","jobs":[]}""";

    /// <summary>CR, LF and a header after them, quotes, a backslash, a percent sign, a space and non-ASCII.</summary>
    private const string OddName = "evil\"\r\nX-Injected: 1\r\n\r\n\\ 100% \u00fc\u6f22.jpg";

    [Fact]
    public async Task An_odd_file_name_goes_encoded_and_round_trips()
    {
        await using var server = new LoopbackServer(_ => null);
        using var http = new HttpClient { BaseAddress = server.Url };
        byte[] jpeg = [0xff, 0xd8, 0xff];

        await new PixerveClient(http).UploadBatchAsync([new UploadFile(new MemoryStream(jpeg), OddName), new UploadFile(new MemoryStream(jpeg), "plain.jpg")], "a.b.c");

        var raw = Assert.Single(server.Requests).Raw;
        Assert.DoesNotContain("X-Injected", raw[..raw.IndexOf("\r\n\r\n", StringComparison.Ordinal)]);
        var parts = PartHeaders(raw);
        Assert.Equal(2, parts.Count);
        // Two header lines per part: no CR or LF of the name split the header or started another.
        Assert.Equal(2, parts[0].Length);
        Assert.Contains("Content-Type: application/octet-stream", parts[0]);
        var disposition = Assert.Single(parts[0], l => l.StartsWith("Content-Disposition:", StringComparison.Ordinal));
        var names = Regex.Match(disposition, """^Content-Disposition: form-data; name="file"; filename="([\x20-\x7e]*)"; filename\*=utf-8''([\x21-\x7e]*)$""", RegexOptions.IgnoreCase);
        Assert.True(names.Success, disposition);
        Assert.Equal([OddName, OddName], [Uri.UnescapeDataString(names.Groups[1].Value), Uri.UnescapeDataString(names.Groups[2].Value)]);
        Assert.Contains("Content-Disposition: form-data; name=\"file\"; filename=\"plain.jpg\"; filename*=utf-8''plain.jpg", parts[1]);
    }

    [Fact]
    public async Task A_redirect_to_another_origin_does_not_carry_the_token()
    {
        // 127.0.0.1 on another port is another origin.
        await using var elsewhere = new LoopbackServer(_ => null);
        await using var gateway = new LoopbackServer(request => new Uri(elsewhere.Url, request.Target));
        using var http = new HttpClient { BaseAddress = gateway.Url };
        var client = new PixerveClient(http);

        await client.GetStatusAsync("h", "the.job.token");
        await client.UploadAsync(new MemoryStream([0xff, 0xd8, 0xff]), "a.jpg", "the.job.token");

        Assert.Equal([("GET", "/status?hash=h", "Bearer the.job.token"), ("POST", "/upload", "Bearer the.job.token")],
            gateway.Requests.Select(r => (r.Method, r.Target, r.Authorization)));
        // Followed (a 302 turns the POST into a GET), but without the token.
        Assert.Equal([("GET", "/status?hash=h", (string?)null), ("GET", "/upload", null)],
            elsewhere.Requests.Select(r => (r.Method, r.Target, r.Authorization)));
    }

    /// <summary>Each part's header lines, from the raw request.</summary>
    private static List<string[]> PartHeaders(string raw)
    {
        var end = raw.IndexOf("\r\n\r\n", StringComparison.Ordinal);
        var boundary = Regex.Match(raw[..end], "boundary=\"?([^\"\r\n;]+)").Groups[1].Value;
        return raw[(end + 4)..].Split("--" + boundary)[1..^1]
            .Select(part => part[2..part.IndexOf("\r\n\r\n", StringComparison.Ordinal)].Split("\r\n"))
            .ToList();
    }

    private sealed record Seen(string Method, string Target, string? Authorization, string Raw);

    /// <summary>
    /// A loopback HTTP/1.1 server that keeps each request (raw, as ISO-8859-1 text) and answers 302 to where
    /// <c>redirect</c> says, or 200 with <see cref="Answer"/> when it says nowhere.
    /// </summary>
    private sealed class LoopbackServer : IAsyncDisposable
    {
        private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
        private readonly Func<Seen, Uri?> _redirect;
        private readonly Task _serving;
        private readonly ConcurrentQueue<Seen> _requests = new();

        public LoopbackServer(Func<Seen, Uri?> redirect)
        {
            _redirect = redirect;
            _listener.Start();
            _serving = ServeAsync();
        }

        public Uri Url => new($"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}/");

        public IReadOnlyList<Seen> Requests => [.. _requests];

        private async Task ServeAsync()
        {
            while (true)
            {
                TcpClient connection;
                try
                {
                    connection = await _listener.AcceptTcpClientAsync();
                }
                catch (Exception e) when (e is SocketException or ObjectDisposedException)
                {
                    return;
                }

                using (connection)
                {
                    var stream = connection.GetStream();
                    var raw = new MemoryStream();
                    var buffer = new byte[65536];
                    int end = -1, length = 0;
                    while (end < 0 || raw.Length < end + 4 + length)
                    {
                        var n = await stream.ReadAsync(buffer);
                        if (n == 0) break;
                        raw.Write(buffer, 0, n);
                        var text = Encoding.Latin1.GetString(raw.ToArray());
                        if (end < 0 && (end = text.IndexOf("\r\n\r\n", StringComparison.Ordinal)) >= 0)
                        {
                            var header = text[..end];
                            var contentLength = Regex.Match(header, @"(?im)^content-length:\s*(\d+)");
                            length = contentLength.Success ? int.Parse(contentLength.Groups[1].Value) : 0;
                            if (Regex.IsMatch(header, @"(?im)^expect:\s*100-continue")) await stream.WriteAsync("HTTP/1.1 100 Continue\r\n\r\n"u8.ToArray());
                        }
                    }

                    var request = Encoding.Latin1.GetString(raw.ToArray());
                    var line = request[..request.IndexOf("\r\n", StringComparison.Ordinal)].Split(' ');
                    var authorization = Regex.Match(request[..Math.Max(end, 0)], @"(?im)^authorization:\s*([^\r\n]*)");
                    var seen = new Seen(line[0], line[1], authorization.Success ? authorization.Groups[1].Value : null, request);
                    _requests.Enqueue(seen);
                    var answer = _redirect(seen) is { } location
                        ? $"HTTP/1.1 302 Found\r\nLocation: {location}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
                        : $"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {Answer.Length}\r\nConnection: close\r\n\r\n{Answer}";
                    await stream.WriteAsync(Encoding.Latin1.GetBytes(answer));
                }
            }
        }

        public async ValueTask DisposeAsync()
        {
            _listener.Stop();
            await _serving;
        }
    }
}
