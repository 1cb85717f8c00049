using System.Globalization;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Net.ServerSentEvents;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;

namespace Pixerve.Client;

/// <summary>
/// Talks to a Pixerve gateway over the given <see cref="HttpClient"/> (its <c>BaseAddress</c> is the gateway's URL).
/// Every call takes the bearer token it acts with: a job token (see <see cref="JobSpecBuilder"/>) or, where the
/// server allows it, the admin token. A refusal throws <see cref="PixerveException"/> carrying the problem details.
/// </summary>
public sealed class PixerveClient(HttpClient http)
{
    internal static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
    };

    private readonly HttpClient _http = http ?? throw new ArgumentNullException(nameof(http));

    /// <summary>How long <see cref="WaitUntilFinalAsync"/> waits between polls at first; it doubles up to <see cref="MaxPollInterval"/>.</summary>
    public TimeSpan FirstPollInterval { get; init; } = TimeSpan.FromMilliseconds(200);

    public TimeSpan MaxPollInterval { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Uploads one image; the answer comes at once, before conversion starts. The stream is read to its end, not buffered.</summary>
    public async Task<UploadedJob> UploadAsync(Stream content, string fileName, string token, CancellationToken cancellationToken = default)
    {
        using var response = await SendAsync(UploadRequest([new UploadFile(content, fileName)], token), cancellationToken);
        return await ReadAsync<UploadedJob>(response, cancellationToken);
    }

    /// <summary>Uploads the file at <paramref name="path"/> under its own name.</summary>
    public async Task<UploadedJob> UploadAsync(string path, string token, CancellationToken cancellationToken = default)
    {
        await using var file = File.OpenRead(path);
        return await UploadAsync(file, Path.GetFileName(path), token, cancellationToken);
    }

    /// <summary>
    /// Uploads several images in one request, one job each, all with the same token. A refused file is an entry
    /// with <see cref="BatchUploadEntry.Error"/>; only when every file is refused does this throw.
    /// </summary>
    public async Task<BatchUploadResult> UploadBatchAsync(IEnumerable<UploadFile> files, string token, CancellationToken cancellationToken = default)
    {
        var list = files.ToList();
        if (list.Count == 0) throw new ArgumentException("a batch needs at least one file", nameof(files));
        using var response = await SendAsync(UploadRequest(list, token), cancellationToken);
        if (list.Count > 1) return await ReadAsync<BatchUploadResult>(response, cancellationToken);

        // One file part gets the single-file answer; give callers the batch shape they asked for.
        var job = await ReadAsync<UploadedJob>(response, cancellationToken);
        return new BatchUploadResult([new BatchUploadEntry(list[0].FileName, job.Hash, job.ExpectedFiles, null) { JobId = job.JobId, Status = job.Status }]);
    }

    /// <summary>Uploads the files at <paramref name="paths"/>, each under its own name.</summary>
    public async Task<BatchUploadResult> UploadBatchAsync(IEnumerable<string> paths, string token, CancellationToken cancellationToken = default)
    {
        var streams = new List<UploadFile>();
        try
        {
            foreach (var path in paths) streams.Add(new UploadFile(File.OpenRead(path), Path.GetFileName(path)));
            return await UploadBatchAsync(streams, token, cancellationToken);
        }
        finally
        {
            foreach (var file in streams) await file.Content.DisposeAsync();
        }
    }

    /// <summary><c>GET /status</c> of this token's job of <paramref name="hash"/>; 404 (unknown, or another token's job) throws.</summary>
    public Task<JobStatusReport> GetStatusAsync(string hash, string token, CancellationToken cancellationToken = default) =>
        GetAsync<JobStatusReport>($"status?hash={Uri.EscapeDataString(hash)}", token, cancellationToken);

    /// <summary>
    /// Polls <c>GET /status</c>, backing off from <see cref="FirstPollInterval"/> to <see cref="MaxPollInterval"/>, until
    /// the job is completed, failed or cancelled, and returns that last status. A 5xx answer or a failed connection
    /// (a gateway restarting, a silo dying) is asked again; other refusals throw. Bound it with the cancellation token.
    /// </summary>
    public async Task<JobStatusReport> WaitUntilFinalAsync(string hash, string token, CancellationToken cancellationToken = default)
    {
        var interval = FirstPollInterval;
        while (true)
        {
            try
            {
                var status = await GetStatusAsync(hash, token, cancellationToken);
                if (status.IsFinal) return status;
            }
            catch (Exception e) when (e is HttpRequestException or PixerveException { Problem.Status: >= 500 } &&
                                      !cancellationToken.IsCancellationRequested)
            {
                // Transient: the job itself lives on in its grain; ask again after the backoff.
            }

            await Task.Delay(interval, cancellationToken);
            interval = TimeSpan.FromTicks(Math.Min(interval.Ticks * 2, MaxPollInterval.Ticks));
        }
    }

    /// <summary>
    /// Follows <c>GET /events</c>: yields the job's status now and at each change, ending after the final one. One
    /// open response instead of repeated polls; a state that lasts less than the server's poll interval may be skipped.
    /// </summary>
    public async IAsyncEnumerable<JobStatusReport> WatchAsync(string hash, string token,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var request = Request(HttpMethod.Get, $"events?hash={Uri.EscapeDataString(hash)}", token);
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/event-stream"));
        using var response = await SendAsync(request, cancellationToken);
        await using var stream = await response.Content.ReadAsStreamAsync(cancellationToken);
        // The stream's progress events (source, output_done) are not states: skipped here.
        var events = SseParser.Create(stream, (type, data) => JobStatuses.IsStatus(type) ? JsonSerializer.Deserialize<JobStatusReport>(data, Json) : null);
        await foreach (var item in events.EnumerateAsync(cancellationToken))
            if (item.Data is { } status) yield return status;
    }

    /// <summary><c>DELETE /cancel</c>: cancels a pending job and returns its status; 409 when it already runs or is final.</summary>
    public async Task<JobStatusReport> CancelAsync(string hash, string token, CancellationToken cancellationToken = default)
    {
        using var response = await SendAsync(Request(HttpMethod.Delete, $"cancel?hash={Uri.EscapeDataString(hash)}", token), cancellationToken);
        return await ReadAsync<JobStatusReport>(response, cancellationToken);
    }

    /// <summary><c>GET /success</c>: the record of a completed job, or <see cref="JobRecord.Status"/> <c>not_found</c> while it has none; 404 (unknown job) throws.</summary>
    public Task<JobRecord> GetSuccessAsync(string hash, string token, CancellationToken cancellationToken = default) =>
        GetAsync<JobRecord>($"success?hash={Uri.EscapeDataString(hash)}", token, cancellationToken);

    /// <summary><c>GET /failures</c>: the record of a failed job; <c>success</c> when it succeeded, else <c>not_found</c>; 404 (unknown job) throws.</summary>
    public Task<JobRecord> GetFailureAsync(string hash, string token, CancellationToken cancellationToken = default) =>
        GetAsync<JobRecord>($"failures?hash={Uri.EscapeDataString(hash)}", token, cancellationToken);

    /// <summary>Downloads a <c>directHost</c> output, <c>GET /files/{subDir}/{name}</c> (no token needed).</summary>
    public async Task<byte[]> DownloadServedFileAsync(string? subDir, string name, CancellationToken cancellationToken = default)
    {
        var path = string.Join('/', (subDir ?? "").Split('/', StringSplitOptions.RemoveEmptyEntries).Append(name).Select(Uri.EscapeDataString));
        using var response = await SendAsync(new HttpRequestMessage(HttpMethod.Get, $"files/{path}"), cancellationToken);
        return await response.Content.ReadAsByteArrayAsync(cancellationToken);
    }

    private async Task<T> GetAsync<T>(string path, string token, CancellationToken cancellationToken)
    {
        using var response = await SendAsync(Request(HttpMethod.Get, path, token), cancellationToken);
        return await ReadAsync<T>(response, cancellationToken);
    }

    private static HttpRequestMessage UploadRequest(IReadOnlyList<UploadFile> files, string token)
    {
        var form = new MultipartFormDataContent();
        foreach (var file in files)
        {
            // The server sniffs the format from the bytes; the content type only keeps proxies from guessing.
            var part = new StreamContent(file.Content);
            part.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
            part.Headers.ContentDisposition = FileDisposition(file.FileName);
            form.Add(part);
        }

        var request = Request(HttpMethod.Post, "upload", token);
        request.Content = form;
        return request;
    }

    /// <summary>
    /// A file part's <c>Content-Disposition</c>, for any name: <see cref="MultipartFormDataContent"/> throws on a name
    /// with CR, LF or a quote. In <c>filename</c> printable ASCII stays except <c>"</c>, <c>%</c> and <c>\</c>, every
    /// other byte of its UTF-8 is percent-encoded (RFC 7578 §4.2); <c>filename*</c> (RFC 8187, percent-encoded by .NET)
    /// carries the name exactly, and the gateway reads that first.
    /// </summary>
    private static ContentDispositionHeaderValue FileDisposition(string fileName)
    {
        var fallback = new StringBuilder();
        foreach (var b in Encoding.UTF8.GetBytes(fileName))
        {
            if (b is >= 0x20 and < 0x7f and not (byte)'"' and not (byte)'%' and not (byte)'\\') fallback.Append((char)b);
            else fallback.Append('%').Append(b.ToString("X2", CultureInfo.InvariantCulture));
        }

        return new ContentDispositionHeaderValue("form-data") { Name = "\"file\"", FileName = $"\"{fallback}\"", FileNameStar = fileName };
    }

    private static HttpRequestMessage Request(HttpMethod method, string path, string token)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(token);
        var request = new HttpRequestMessage(method, path);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return request;
    }

    /// <summary>Sends, and turns any answer but 2xx into a <see cref="PixerveException"/>.</summary>
    private async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        using (request)
        {
            var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
            if (response.IsSuccessStatusCode) return response;
            using (response) throw new PixerveException(await ReadProblemAsync(response, cancellationToken));
        }
    }

    private static async Task<PixerveProblem> ReadProblemAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        var status = (int)response.StatusCode;
        var body = await response.Content.ReadAsStringAsync(cancellationToken);
        try
        {
            if (JsonSerializer.Deserialize<PixerveProblem>(body, Json) is { } problem)
                return problem.Status == 0 ? problem with { Status = status } : problem;
        }
        catch (JsonException)
        {
            // Not from Pixerve itself (a proxy's page, say): keep what it said.
        }

        return PixerveProblem.Unexplained(status, string.IsNullOrWhiteSpace(body) ? response.ReasonPhrase ?? "" : body);
    }

    private static async Task<T> ReadAsync<T>(HttpResponseMessage response, CancellationToken cancellationToken) =>
        await response.Content.ReadFromJsonAsync<T>(Json, cancellationToken)
        ?? throw new PixerveException(PixerveProblem.Unexplained((int)response.StatusCode, "the answer was empty"));
}
