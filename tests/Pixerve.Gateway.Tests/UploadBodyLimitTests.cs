using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Pixerve.Tests.Infrastructure;

namespace Pixerve.Tests.Gateway;

/// <summary>
/// A caller not yet known may send only a little of an upload: the large limit (files × the file limit) applies
/// once its token is valid. The hostile clients here send an endless chunked body over a raw socket and keep
/// sending after the answer, so what the gateway reads is measured, not guessed.
/// </summary>
[Collection(PixerveCollection.Name)]
public sealed class UploadBodyLimitTests(PixerveFixture fixture)
{
    private const string Boundary = "pixerve-test-boundary";

    /// <summary>Far below the gigabyte (20 files × 50 MiB) an unauthenticated body could make the gateway read before.</summary>
    private const long MostTheGatewayMayTake = 64L * 1024 * 1024;

    [Fact]
    public async Task A_bad_form_token_is_refused_and_the_rest_of_an_endless_body_is_never_read()
    {
        var prefix = Part("token", null) + "not-a-valid-token\r\n" + Part("file", "big.jpg");
        var (status, headers, body, sent) = await SendEndlessAsync(prefix);
        Assert.Equal(401, status);
        Assert.Contains("application/problem+json", headers);
        Assert.Equal(401, JsonDocument.Parse(body).RootElement.GetProperty("status").GetInt32());
        Assert.True(sent < MostTheGatewayMayTake, $"the gateway took {sent} bytes of a refused upload");
    }

    [Fact]
    public async Task A_bad_bearer_token_is_refused_before_the_body_and_the_gateway_drains_at_most_the_small_limit()
    {
        var (status, _, body, sent) = await SendEndlessAsync(Part("file", "big.jpg"), "Authorization: Bearer not.a.token\r\n");
        Assert.Equal(401, status);
        Assert.Equal(401, JsonDocument.Parse(body).RootElement.GetProperty("status").GetInt32());
        Assert.True(sent < MostTheGatewayMayTake, $"the gateway took {sent} bytes of a refused upload");
    }

    [Fact]
    public async Task A_file_before_any_token_is_refused_and_its_body_is_never_read()
    {
        var (status, _, body, sent) = await SendEndlessAsync(Part("file", "big.jpg"));
        Assert.Equal(401, status);
        Assert.Equal(401, JsonDocument.Parse(body).RootElement.GetProperty("status").GetInt32());
        Assert.True(sent < MostTheGatewayMayTake, $"the gateway took {sent} bytes of a refused upload");
    }

    [Fact]
    public async Task An_endless_field_before_the_token_is_cut_off_at_the_small_limit_with_413()
    {
        var (status, _, body, sent) = await SendEndlessAsync(Part("padding", null));
        Assert.Equal(413, status);
        var problem = JsonDocument.Parse(body).RootElement;
        Assert.Equal(413, problem.GetProperty("status").GetInt32());
        Assert.Contains("before a valid token", problem.GetProperty("detail").GetString());
        Assert.True(sent < MostTheGatewayMayTake, $"the gateway took {sent} bytes of a refused upload");
    }

    [Theory]
    [InlineData("Authorization: Bearer not.a.token\r\n")]
    [InlineData("")]
    public async Task A_refused_upload_larger_than_the_small_limit_is_answered_with_connection_close(string authorization)
    {
        // A keep-alive client (Go's net/http, undici) would send its next request down this connection, which closes
        // with the body unread, and fail with a broken pipe: the answer must tell it not to.
        var file = new byte[700 * 1024];
        var (status, headers) = await PostSizedAsync(authorization, Part("file", "big.jpg"), file);
        Assert.Equal(401, status);
        Assert.Contains("Connection: close", headers, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task A_small_refused_upload_is_read_to_its_end_and_its_connection_kept()
    {
        var (status, headers) = await PostSizedAsync("Authorization: Bearer not.a.token\r\n", Part("file", "small.jpg"), new byte[8 * 1024]);
        Assert.Equal(401, status);
        Assert.DoesNotContain("Connection: close", headers, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task A_valid_form_token_still_lifts_the_limit_to_files_times_the_file_limit()
    {
        // 5 MB files: Kestrel's limit for other endpoints is 6 MB; two 4 MB files pass only with the raised one.
        var (gateway, http) = await fixture.StartGatewayAsync("--Pixerve:Limits:MaxUploadBytes=5000000");
        await using var _ = gateway;
        using var __ = http;
        var token = fixture.Token(new { formats = new Dictionary<string, object> { ["jpg"] = new { sizes = new[] { new[] { 64 } } } }, directHost = true, subDir = "limits/big" });
        var form = new MultipartFormDataContent { { new StringContent(token), "token" } };
        foreach (var name in new[] { "a.jpg", "b.jpg" }) form.Add(new ByteArrayContent(UniqueBytes.Jpeg("art-5120x2880.jpg")), "file", name);
        Assert.True(form.Headers.ContentLength > 6_000_000);

        using var response = await http.PostAsync("/upload", form);
        await HttpAssert.AssertOk(response);
        var jobs = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("jobs").EnumerateArray().ToList();
        Assert.Equal(2, jobs.Count);
        Assert.All(jobs, job => Assert.Equal(64, job.GetProperty("hash").GetString()!.Length));
    }

    [Fact]
    public async Task A_body_that_trickles_in_is_answered_408_with_a_problem()
    {
        var (gateway, http) = await fixture.StartGatewayAsync(
            "--Pixerve:Limits:MinRequestBodyBytesPerSecond=10000", "--Pixerve:Limits:RequestBodyGracePeriod=00:00:01.500");
        await using var _ = gateway;
        using var __ = http;
        var token = fixture.Token(new { formats = new Dictionary<string, object> { ["jpg"] = new { sizes = new[] { new[] { 64 } } } }, directHost = true, subDir = "limits/slow" });
        // A real JPEG's start, so the header is read and the file is being staged when the bytes slow to a trickle.
        var jpeg = UniqueBytes.Jpeg("va.jpg");
        var start = Encoding.ASCII.GetBytes(Part("file", "slow.jpg")).Concat(jpeg.AsSpan(0, 64 * 1024).ToArray()).ToArray();

        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var (status, headers, body, _) = await PostChunkedAsync(http.BaseAddress!, $"Authorization: Bearer {token}\r\n", start,
            async (network, answered) =>
            {
                // One byte at a time until the gateway answers: far under 10000 bytes per second.
                for (var i = 64 * 1024; i < jpeg.Length && !answered.IsCompleted; i++)
                {
                    await WriteChunkAsync(network, jpeg.AsMemory(i, 1), deadline.Token);
                    await Task.WhenAny(answered, Task.Delay(50, deadline.Token));
                }
            }, deadline.Token);
        Assert.Equal(408, status);
        Assert.Contains("application/problem+json", headers);
        var problem = JsonDocument.Parse(body).RootElement;
        Assert.Equal(408, problem.GetProperty("status").GetInt32());
        Assert.Contains("too slowly", problem.GetProperty("detail").GetString());
    }

    /// <summary>
    /// A <c>POST /upload</c> with a Content-Length over a raw socket, written in full while the answer is read (the
    /// gateway may close before the end). Returns the answer's status and headers.
    /// </summary>
    private async Task<(int Status, string Headers)> PostSizedAsync(string extraHeaders, string prefix, byte[] file)
    {
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var address = fixture.Http.BaseAddress!;
        var content = Encoding.ASCII.GetBytes(prefix).Concat(file).Concat(Encoding.ASCII.GetBytes($"\r\n--{Boundary}--\r\n")).ToArray();
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(address.Host, address.Port, deadline.Token);
        await using var network = new NetworkStream(socket, ownsSocket: false);
        var head = $"POST /upload HTTP/1.1\r\nHost: {address.Authority}\r\nContent-Type: multipart/form-data; boundary={Boundary}\r\n" +
                   $"Content-Length: {content.Length}\r\n{extraHeaders}\r\n";
        try
        {
            await network.WriteAsync(Encoding.ASCII.GetBytes(head).Concat(content).ToArray(), deadline.Token);
        }
        catch (IOException)
        {
            // The gateway closed the connection before the end: the answer is what counts.
        }

        // A kept connection stays open: the answer ends with its last (zero) chunk.
        var (status, headers, _) = Answer(await ReadAllAsync(network, deadline.Token, untilAnswerEnds: true), "");
        return (status, headers);
    }

    private static string Part(string name, string? fileName) =>
        $"--{Boundary}\r\nContent-Disposition: form-data; name=\"{name}\"" +
        (fileName is null ? "" : $"; filename=\"{fileName}\"\r\nContent-Type: application/octet-stream") + "\r\n\r\n";

    /// <summary>
    /// Posts <paramref name="prefix"/> and then filler bytes without end (chunked), reading the answer meanwhile and
    /// writing on after it, until the gateway closes the connection. Returns the answer and how much was sent.
    /// </summary>
    private async Task<(int Status, string Headers, string Body, long Sent)> SendEndlessAsync(string prefix, string extraHeaders = "")
    {
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var filler = new byte[64 * 1024];
        Array.Fill(filler, (byte)'x');
        return await PostChunkedAsync(fixture.Http.BaseAddress!, extraHeaders, Encoding.ASCII.GetBytes(prefix), async (network, _) =>
        {
            long sent = 0;
            // Past the gigabyte an upload may be, the gateway has read it all: stop, and the caller fails.
            while (sent < 1L << 30)
            {
                await WriteChunkAsync(network, filler, deadline.Token);
                sent += filler.Length;
            }

            return sent;
        }, deadline.Token);
    }

    /// <summary>
    /// A chunked <c>POST /upload</c> over a raw socket: <paramref name="start"/> as the first chunk, then whatever
    /// <paramref name="sendRest"/> writes (it is handed the task that completes with the answer) until it stops or
    /// the gateway closes the connection. Returns the answer and what <paramref name="sendRest"/> counted as sent.
    /// </summary>
    private static async Task<(int Status, string Headers, string Body, long Sent)> PostChunkedAsync(Uri address, string extraHeaders,
        byte[] start, Func<NetworkStream, Task, Task> sendRest, CancellationToken cancellationToken) =>
        await PostChunkedAsync(address, extraHeaders, start, async (network, answered) =>
        {
            await sendRest(network, answered);
            return 0L;
        }, cancellationToken);

    private static async Task<(int Status, string Headers, string Body, long Sent)> PostChunkedAsync(Uri address, string extraHeaders,
        byte[] start, Func<NetworkStream, Task, Task<long>> sendRest, CancellationToken cancellationToken)
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(address.Host, address.Port, cancellationToken);
        await using var network = new NetworkStream(socket, ownsSocket: false);

        var reading = ReadAllAsync(network, cancellationToken);
        var head = $"POST /upload HTTP/1.1\r\nHost: {address.Authority}\r\nContent-Type: multipart/form-data; boundary={Boundary}\r\n" +
                   $"Transfer-Encoding: chunked\r\n{extraHeaders}\r\n";
        long sent = 0;
        try
        {
            await network.WriteAsync(Encoding.ASCII.GetBytes(head), cancellationToken);
            await WriteChunkAsync(network, start, cancellationToken);
            sent = await sendRest(network, reading);
        }
        catch (IOException)
        {
            // The gateway closed the connection: it reads no more.
        }

        var (status, headers, body) = Answer(await reading, $" (after {sent} bytes sent)");
        return (status, headers, body, sent);
    }

    /// <summary>The status, headers and (JSON) body of the answer in <paramref name="received"/>.</summary>
    private static (int Status, string Headers, string Body) Answer(byte[] received, string context)
    {
        var response = Encoding.UTF8.GetString(received);
        var split = response.IndexOf("\r\n\r\n", StringComparison.Ordinal);
        Assert.True(split > 0, $"no answer came back{context}: '{response}'");
        var headers = response[..split];
        var body = response[(split + 4)..];
        // A chunked answer: keep the JSON between its chunk sizes.
        if (headers.Contains("Transfer-Encoding: chunked", StringComparison.OrdinalIgnoreCase))
            body = body[(body.IndexOf("\r\n", StringComparison.Ordinal) + 2)..(body.LastIndexOf('}') + 1)];
        return (int.Parse(headers.Split(' ')[1]), headers, body);
    }

    private static async Task WriteChunkAsync(NetworkStream network, ReadOnlyMemory<byte> data, CancellationToken cancellationToken)
    {
        await network.WriteAsync(Encoding.ASCII.GetBytes($"{data.Length:X}\r\n"), cancellationToken);
        await network.WriteAsync(data, cancellationToken);
        await network.WriteAsync("\r\n"u8.ToArray(), cancellationToken);
    }

    /// <summary>
    /// Everything the gateway sends until it closes (or resets) the connection, or, with
    /// <paramref name="untilAnswerEnds"/>, until a chunked answer's last chunk.
    /// </summary>
    private static async Task<byte[]> ReadAllAsync(NetworkStream network, CancellationToken cancellationToken, bool untilAnswerEnds = false)
    {
        var received = new MemoryStream();
        var buffer = new byte[16 * 1024];
        try
        {
            int read;
            while (!(untilAnswerEnds && Encoding.ASCII.GetString(received.ToArray()).Contains("\r\n0\r\n\r\n")) &&
                   (read = await network.ReadAsync(buffer, cancellationToken)) > 0)
                received.Write(buffer, 0, read);
        }
        catch (IOException)
        {
            // A reset after the answer: what came before it is the answer.
        }

        return received.ToArray();
    }
}
