using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Pixerve.Testing;
using Pixerve.Testing.Fixtures;

namespace Pixerve.Gateway.Tests;

/// <summary>
/// A caller not yet known may send only a little of an upload before its token: the large limit (files × the file
/// limit) applies once its token is valid. A refused upload's body is read to its end before the answer (so clients
/// that write it whole see the answer, not a broken pipe), but never past that limit, the drain time or the client
/// address's budget. The hostile clients here send an endless chunked body over a raw socket and keep sending after
/// the answer, so what the gateway reads is measured, not guessed.
/// </summary>
[Collection(PixerveCollection.Name)]
public sealed class UploadBodyLimitTests(PixerveFixture fixture)
{
    private const string Boundary = "pixerve-test-boundary";

    /// <summary>Far below the gigabyte (20 files × 50 MiB) an unauthenticated body could make the gateway read before.</summary>
    private const long MostTheGatewayMayTake = 64L * 1024 * 1024;

    /// <summary>
    /// A gateway whose upload limit is 2 × (4 MB + 64 KiB) ≈ 8.1 MB, so that reading a refused body up to the limit
    /// stays cheap; a body going on past it must still be cut there, far below what an unbounded read would take.
    /// </summary>
    private Task<(Microsoft.AspNetCore.Builder.WebApplication App, HttpClient Http)> SmallLimitGatewayAsync(params string[] settings) =>
        fixture.StartGatewayAsync(["--Pixerve:Limits:MaxUploadBytes=4000000", "--Pixerve:Limits:MaxFilesPerUpload=2", .. settings]);

    private const long SmallUploadLimit = 2 * (4_000_000 + 64 * 1024);

    [Theory]
    [InlineData("form token", "")] // the token field is read, refused: the rest is read up to the limit, then cut
    [InlineData("bearer", "Authorization: Bearer not.a.token\r\n")] // refused before the body
    [InlineData("no token", "")] // a file part before any token
    public async Task A_refused_endless_body_is_read_no_further_than_the_upload_limit_and_its_connection_closed(string token, string authorization)
    {
        var (gateway, http) = await SmallLimitGatewayAsync();
        await using var _ = gateway;
        using var __ = http;
        var prefix = (token == "form token" ? Part("token", null) + "not-a-valid-token\r\n" : "") + Part("file", "big.jpg");
        var (status, headers, body, sent) = await SendEndlessAsync(http.BaseAddress!, prefix, authorization);
        Assert.Equal(401, status);
        Assert.Contains("application/problem+json", headers);
        Assert.Equal(401, JsonDocument.Parse(body).RootElement.GetProperty("status").GetInt32());
        Assert.Contains("Connection: close", headers, StringComparison.OrdinalIgnoreCase);
        Assert.True(sent > SmallUploadLimit, $"the gateway cut the body after {sent} bytes, before the upload limit");
        Assert.True(sent < MostTheGatewayMayTake, $"the gateway took {sent} bytes of a refused upload");
    }

    [Fact]
    public async Task An_endless_field_before_the_token_is_refused_at_the_small_limit_with_413_and_cut_at_the_upload_limit()
    {
        var (gateway, http) = await SmallLimitGatewayAsync();
        await using var _ = gateway;
        using var __ = http;
        var (status, headers, body, sent) = await SendEndlessAsync(http.BaseAddress!, Part("padding", null));
        Assert.Equal(413, status);
        var problem = JsonDocument.Parse(body).RootElement;
        Assert.Equal(413, problem.GetProperty("status").GetInt32());
        Assert.Contains("before a valid token", problem.GetProperty("detail").GetString());
        Assert.Contains("Connection: close", headers, StringComparison.OrdinalIgnoreCase);
        Assert.True(sent < MostTheGatewayMayTake, $"the gateway took {sent} bytes of a refused upload");
    }

    public static TheoryData<int, string> RefusedUploads() => new()
    {
        { 700 * 1024, "bad" }, { 700 * 1024, "expired" }, { 700 * 1024, "missing" },
        { 16_000_000, "bad" }, { 16_000_000, "expired" }, { 16_000_000, "missing" },
    };

    /// <summary>The 16 MB bad-token case runs this often in a row: a broken pipe that comes one time in ten must show.</summary>
    private const int Runs = 20;

    /// <summary>
    /// Clients that write the whole body before reading (Node's fetch, Java's HttpClient) lost a refusal closed on
    /// them mid-body to a broken pipe. Over a raw socket the body is written in full, then the answer read: the 401
    /// problem, without Connection: close, and the connection then carries a second request.
    /// </summary>
    [Theory]
    [MemberData(nameof(RefusedUploads))]
    public async Task A_refused_upload_is_read_to_its_end_before_the_answer_and_its_connection_carries_the_next_request(int size, string token)
    {
        var (gateway, http) = await fixture.StartGatewayAsync();
        await using var _ = gateway;
        using var __ = http;
        var address = http.BaseAddress!;
        var (headers, prefix) = RefusedRequestStart(token);
        var file = new byte[size];
        Random.Shared.NextBytes(file);
        for (var run = 1; run <= (size > 1_000_000 && token == "bad" ? Runs : 1); run++)
        {
            using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            using var socket = await ConnectAsync(address, deadline.Token);
            await using var network = new NetworkStream(socket, ownsSocket: false);
            var content = Encoding.ASCII.GetBytes(prefix).Concat(file).Concat(Encoding.ASCII.GetBytes($"\r\n--{Boundary}--\r\n")).ToArray();
            await network.WriteAsync(Encoding.ASCII.GetBytes(UploadHead(address, $"Content-Length: {content.Length}\r\n" + headers)), deadline.Token);
            // Written in full before anything is read, as those clients do: a closed connection fails this write.
            try
            {
                await network.WriteAsync(content, deadline.Token);
            }
            catch (IOException e)
            {
                throw new Xunit.Sdk.XunitException($"run {run}: the gateway closed the connection on the body ({e.Message})");
            }

            var answer = await ReadAnswerAsync(network, deadline.Token);
            Assert.True(answer.Status == 401, $"run {run}: expected 401, got {answer.Status}: {answer.Body}");
            Assert.Equal(401, JsonDocument.Parse(answer.Body).RootElement.GetProperty("status").GetInt32());
            Assert.DoesNotContain("Connection: close", answer.Headers, StringComparison.OrdinalIgnoreCase);

            await network.WriteAsync(Encoding.ASCII.GetBytes($"GET /version HTTP/1.1\r\nHost: {address.Authority}\r\n\r\n"), deadline.Token);
            var next = await ReadAnswerAsync(network, deadline.Token);
            Assert.True(next.Status == 200, $"run {run}: the next request on the connection got {next.Status}: {next.Body}");
        }
    }

    /// <summary>The same refusals sent by .NET's HttpClient: it reads the 401 problem, never a reset connection.</summary>
    [Theory]
    [MemberData(nameof(RefusedUploads))]
    public async Task A_refused_upload_sent_by_HttpClient_gets_its_401_problem(int size, string token)
    {
        var (gateway, http) = await fixture.StartGatewayAsync();
        await using var _ = gateway;
        using var __ = http;
        var file = new byte[size];
        Random.Shared.NextBytes(file);
        for (var run = 1; run <= (size > 1_000_000 && token == "bad" ? Runs : 1); run++)
        {
            using var request = token switch
            {
                "bad" => PixerveFixture.UploadBytes(file, "big.jpg", bearer: "not.a.token"),
                "expired" => PixerveFixture.UploadBytes(file, "big.jpg", bearer: null, formToken: ExpiredToken()),
                _ => PixerveFixture.UploadBytes(file, "big.jpg", bearer: null),
            };
            HttpResponseMessage response;
            try
            {
                response = await http.SendAsync(request);
            }
            catch (HttpRequestException e)
            {
                throw new Xunit.Sdk.XunitException($"run {run}: no answer, {e.GetType().Name}: {e.Message} ({e.InnerException?.Message})");
            }

            using (response) await HttpAssert.AssertProblem(response, HttpStatusCode.Unauthorized);
        }
    }

    /// <summary>
    /// A client that asks <c>Expect: 100-continue</c> and sends only its headers: a refusal known from them (a bad
    /// bearer token, not multipart) is answered at once, without 100 Continue, and the connection closed.
    /// </summary>
    [Theory]
    [InlineData("Authorization: Bearer not.a.token\r\n", null, 401)]
    [InlineData("", "application/octet-stream", 415)]
    public async Task Expect_100_continue_is_answered_without_asking_for_the_body_when_the_headers_refuse_it(string authorization, string? contentType, int expected)
    {
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var address = fixture.Http.BaseAddress!;
        using var socket = await ConnectAsync(address, deadline.Token);
        await using var network = new NetworkStream(socket, ownsSocket: false);
        var head = UploadHead(address, $"Content-Length: 16000000\r\nExpect: 100-continue\r\n{authorization}", contentType);
        await network.WriteAsync(Encoding.ASCII.GetBytes(head), deadline.Token);

        // The gateway's drain would wait for the body for 30 s; the answer must come well before that.
        var started = System.Diagnostics.Stopwatch.StartNew();
        var received = Encoding.UTF8.GetString(await ReadAllAsync(network, deadline.Token));
        Assert.True(started.Elapsed < TimeSpan.FromSeconds(15), $"the answer took {started.Elapsed}");
        Assert.DoesNotContain("100 Continue", received);
        var (status, headers, body) = Answer(Encoding.UTF8.GetBytes(received), "");
        Assert.Equal(expected, status);
        Assert.Contains("Connection: close", headers, StringComparison.OrdinalIgnoreCase);
        Assert.Equal(expected, JsonDocument.Parse(body).RootElement.GetProperty("status").GetInt32());
    }

    [Fact]
    public async Task A_refused_upload_declared_larger_than_the_upload_limit_is_answered_with_connection_close_unread()
    {
        var (gateway, http) = await SmallLimitGatewayAsync();
        await using var _ = gateway;
        using var __ = http;
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var address = http.BaseAddress!;
        using var socket = await ConnectAsync(address, deadline.Token);
        await using var network = new NetworkStream(socket, ownsSocket: false);
        var head = UploadHead(address, $"Content-Length: {SmallUploadLimit + 1}\r\nAuthorization: Bearer not.a.token\r\n");
        // Only the start of the declared body: the gateway must answer without waiting for the rest.
        await network.WriteAsync(Encoding.ASCII.GetBytes(head + Part("file", "big.jpg")).Concat(new byte[256 * 1024]).ToArray(), deadline.Token);
        var (status, headers, _) = Answer(await ReadAllAsync(network, deadline.Token), "");
        Assert.Equal(401, status);
        Assert.Contains("Connection: close", headers, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task A_refused_body_still_arriving_after_the_drain_time_is_cut_with_connection_close()
    {
        var (gateway, http) = await fixture.StartGatewayAsync("--Pixerve:Limits:RefusedBodyDrainTime=00:00:02");
        await using var _ = gateway;
        using var __ = http;
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var started = System.Diagnostics.Stopwatch.StartNew();
        var chunk = new byte[16 * 1024];
        // 16 KiB every 50 ms: well over the minimum body rate, far under the upload limit, without end.
        var (status, headers, _, _) = await PostChunkedAsync(http.BaseAddress!, "Authorization: Bearer not.a.token\r\n",
            Encoding.ASCII.GetBytes(Part("file", "slow.jpg")), async (network, answered) =>
            {
                while (!answered.IsCompleted)
                {
                    await WriteChunkAsync(network, chunk, deadline.Token);
                    await Task.WhenAny(answered, Task.Delay(50, deadline.Token));
                }
            }, deadline.Token);
        Assert.Equal(401, status);
        Assert.Contains("Connection: close", headers, StringComparison.OrdinalIgnoreCase);
        Assert.True(started.Elapsed > TimeSpan.FromSeconds(1.5) && started.Elapsed < TimeSpan.FromSeconds(30), $"answered after {started.Elapsed}");
    }

    [Fact]
    public async Task Drained_bytes_count_against_the_client_address_budget_and_past_it_the_body_is_left_unread()
    {
        var (gateway, http) = await fixture.StartGatewayAsync("--Pixerve:RateLimits:RefusedBodyBytesPerMinutePerIp=1000000");
        await using var _ = gateway;
        using var __ = http;
        var file = new byte[700 * 1024];
        var first = await PostSizedAsync(http.BaseAddress!, "Authorization: Bearer not.a.token\r\n", Part("file", "a.jpg"), file);
        Assert.Equal(401, first.Status);
        Assert.DoesNotContain("Connection: close", first.Headers, StringComparison.OrdinalIgnoreCase);
        // 700 KB more would pass the address's million bytes this minute: answered unread.
        var second = await PostSizedAsync(http.BaseAddress!, "Authorization: Bearer not.a.token\r\n", Part("file", "b.jpg"), file);
        Assert.Equal(401, second.Status);
        Assert.Contains("Connection: close", second.Headers, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task A_client_address_drains_no_more_bodies_at_once_than_allowed()
    {
        var (gateway, http) = await fixture.StartGatewayAsync("--Pixerve:RateLimits:RefusedBodyDrainsPerIp=1");
        await using var _ = gateway;
        using var __ = http;
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var address = http.BaseAddress!;
        // The first refused body never ends: the gateway is reading it when the second comes.
        using var held = await ConnectAsync(address, deadline.Token);
        await using var heldNetwork = new NetworkStream(held, ownsSocket: false);
        await heldNetwork.WriteAsync(Encoding.ASCII.GetBytes(UploadHead(address, "Transfer-Encoding: chunked\r\nAuthorization: Bearer not.a.token\r\n")), deadline.Token);
        await WriteChunkAsync(heldNetwork, Encoding.ASCII.GetBytes(Part("file", "held.jpg")), deadline.Token);
        var gatewayMetrics = gateway.Services.GetRequiredService<Pixerve.Gateway.Limits.RefusedBodyBudget>();
        await Poll.UntilAsync(() => gatewayMetrics.Draining(IPAddress.Loopback) == 1, TimeSpan.FromSeconds(30), "the first body to be drained");

        var second = await PostSizedAsync(address, "Authorization: Bearer not.a.token\r\n", Part("file", "b.jpg"), new byte[8 * 1024]);
        Assert.Equal(401, second.Status);
        Assert.Contains("Connection: close", second.Headers, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task A_small_refused_upload_is_read_to_its_end_and_its_connection_kept()
    {
        var (status, headers) = await PostSizedAsync(fixture.Http.BaseAddress!, "Authorization: Bearer not.a.token\r\n", Part("file", "small.jpg"), new byte[8 * 1024]);
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
    private static async Task<(int Status, string Headers)> PostSizedAsync(Uri address, string extraHeaders, string prefix, byte[] file)
    {
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var content = Encoding.ASCII.GetBytes(prefix).Concat(file).Concat(Encoding.ASCII.GetBytes($"\r\n--{Boundary}--\r\n")).ToArray();
        using var socket = await ConnectAsync(address, deadline.Token);
        await using var network = new NetworkStream(socket, ownsSocket: false);
        var head = UploadHead(address, $"Content-Length: {content.Length}\r\n{extraHeaders}");
        var reading = ReadAnswerAsync(network, deadline.Token);
        try
        {
            await network.WriteAsync(Encoding.ASCII.GetBytes(head).Concat(content).ToArray(), deadline.Token);
        }
        catch (IOException)
        {
            // The gateway closed the connection before the end: the answer is what counts.
        }

        var answer = await reading;
        return (answer.Status, answer.Headers);
    }

    private static string UploadHead(Uri address, string headers, string? contentType = null) =>
        $"POST /upload HTTP/1.1\r\nHost: {address.Authority}\r\nContent-Type: {contentType ?? $"multipart/form-data; boundary={Boundary}"}\r\n{headers}\r\n";

    private static async Task<Socket> ConnectAsync(Uri address, CancellationToken cancellationToken)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(address.Host, address.Port, cancellationToken);
        return socket;
    }

    private static string ExpiredToken() =>
        TestTokens.Mint(PixerveFixture.JwtSecret, new { formats = new { jpg = new { sizes = new[] { new[] { 64 } } } } }, DateTimeOffset.UtcNow.AddHours(-1));

    /// <summary>The extra headers and the body's start before the file of a refused upload: a bad bearer token, an expired form token, or none.</summary>
    private static (string Headers, string Prefix) RefusedRequestStart(string token) => token switch
    {
        "bad" => ("Authorization: Bearer not.a.token\r\n", Part("file", "big.jpg")),
        "expired" => ("", Part("token", null) + ExpiredToken() + "\r\n" + Part("file", "big.jpg")),
        _ => ("", Part("file", "big.jpg")),
    };

    private static string Part(string name, string? fileName) =>
        $"--{Boundary}\r\nContent-Disposition: form-data; name=\"{name}\"" +
        (fileName is null ? "" : $"; filename=\"{fileName}\"\r\nContent-Type: application/octet-stream") + "\r\n\r\n";

    /// <summary>
    /// Posts <paramref name="prefix"/> and then filler bytes without end (chunked), reading the answer meanwhile and
    /// writing on after it, until the gateway closes the connection. Returns the answer and how much was sent.
    /// </summary>
    private static async Task<(int Status, string Headers, string Body, long Sent)> SendEndlessAsync(Uri address, string prefix, string extraHeaders = "")
    {
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var filler = new byte[64 * 1024];
        Array.Fill(filler, (byte)'x');
        long sent = 0;
        var (status, headers, body, _) = await PostChunkedAsync(address, extraHeaders, Encoding.ASCII.GetBytes(prefix), async (network, _) =>
        {
            // Past the gigabyte an upload may be, the gateway has read it all: stop, and the caller fails.
            while (sent < 1L << 30)
            {
                await WriteChunkAsync(network, filler, deadline.Token);
                sent += filler.Length;
            }
        }, deadline.Token);
        // Counted as written, so a write the closed connection fails still leaves what went before it.
        return (status, headers, body, sent);
    }

    /// <summary>
    /// One answer read off the connection and no more (by its Content-Length or its chunks), so the connection can
    /// carry the next request. Status 0 when the connection ended before a whole answer came.
    /// </summary>
    private static async Task<(int Status, string Headers, string Body)> ReadAnswerAsync(NetworkStream network, CancellationToken cancellationToken)
    {
        var received = new List<byte>();
        var buffer = new byte[1];
        async Task<bool> ReadByteAsync()
        {
            try
            {
                if (await network.ReadAsync(buffer, cancellationToken) == 0) return false;
            }
            catch (IOException)
            {
                return false;
            }

            received.Add(buffer[0]);
            return true;
        }

        async Task<string?> ReadLineAsync()
        {
            var start = received.Count;
            while (await ReadByteAsync())
                if (received.Count - start >= 2 && received[^2] == '\r' && received[^1] == '\n')
                    return Encoding.ASCII.GetString(received.GetRange(start, received.Count - start - 2).ToArray());
            return null;
        }

        var head = new StringBuilder();
        while (await ReadLineAsync() is { } line)
        {
            if (line.Length == 0) break;
            head.Append(line).Append("\r\n");
        }

        var headers = head.ToString();
        if (headers.Length == 0) return (0, "", Encoding.UTF8.GetString(received.ToArray()));
        var body = new List<byte>();
        var length = System.Text.RegularExpressions.Regex.Match(headers, @"(?im)^Content-Length:\s*(\d+)");
        if (length.Success)
        {
            for (var i = 0; i < int.Parse(length.Groups[1].Value) && await ReadByteAsync(); i++) body.Add(buffer[0]);
        }
        else if (headers.Contains("Transfer-Encoding: chunked", StringComparison.OrdinalIgnoreCase))
        {
            while (await ReadLineAsync() is { } size && Convert.ToInt32(size.Split(';')[0], 16) is var chunk and > 0)
            {
                for (var i = 0; i < chunk && await ReadByteAsync(); i++) body.Add(buffer[0]);
                await ReadLineAsync();
            }

            await ReadLineAsync();
        }

        return (int.Parse(headers.Split(' ')[1]), headers, Encoding.UTF8.GetString(body.ToArray()));
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

    /// <summary>Everything the gateway sends until it closes (or resets) the connection.</summary>
    private static async Task<byte[]> ReadAllAsync(NetworkStream network, CancellationToken cancellationToken)
    {
        var received = new MemoryStream();
        var buffer = new byte[16 * 1024];
        try
        {
            int read;
            while ((read = await network.ReadAsync(buffer, cancellationToken)) > 0) received.Write(buffer, 0, read);
        }
        catch (IOException)
        {
            // A reset after the answer: what came before it is the answer.
        }

        return received.ToArray();
    }

    [Fact]
    public async Task One_upload_over_the_byte_limit_is_413_and_stages_nothing()
    {
        var (gateway, http) = await fixture.StartGatewayAsync("--Pixerve:Limits:MaxUploadBytes=100000");
        await using var _ = gateway;
        using var __ = http;
        var image = RepositoryPaths.Image("photo-1920x1280-canon.jpg");
        Assert.True(new FileInfo(image).Length > 100_000);
        var stagedBefore = await fixture.Staging.ListAsync(CancellationToken.None);
        var token = fixture.Token(new { formats = new { jpg = new { sizes = new[] { new[] { 64 } } } }, directHost = true, subDir = "documented/large" });

        using var response = await http.SendAsync(fixture.Upload(image, token));
        var problem = await HttpAssert.AssertProblem(response, HttpStatusCode.RequestEntityTooLarge);
        Assert.Contains("100000", problem.GetProperty("detail").GetString());
        await fixture.AssertNothingNewStagedAsync(stagedBefore);
    }
}
