// A FAKE, not Google Cloud Storage: no GCS emulator installs on these machines (no registry here ships one), so
// the GCS backend is tested by pointing the real Google.Cloud.Storage.V1 client (through BaseUri) at this small
// in-memory implementation of the parts of the JSON API the client uses: resumable uploads (initiation, possibly
// chunked PUTs, 308 answers), gzip request bodies, object metadata/media GET and DELETE, custom metadata, and the
// ifGenerationMatch=0 precondition (create only: 412 when the object exists, checked at initiation and at the end).
using System.Collections.Concurrent;
using System.IO.Compression;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Logging;

namespace Pixerve.Testing.Fixtures;

public sealed class FakeGcsServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentDictionary<string, UploadSession> _sessions = new();

    /// <summary>Stored objects by <c>{bucket}/{name}</c>.</summary>
    public ConcurrentDictionary<string, byte[]> Objects { get; } = new();

    /// <summary>Each stored object's custom metadata (the object resource's <c>metadata</c>), by <c>{bucket}/{name}</c>.</summary>
    public ConcurrentDictionary<string, Dictionary<string, string>> CustomMetadata { get; } = new();

    /// <summary>How many request bodies arrived gzip-encoded, so a test can see that path was taken.</summary>
    public int GzipBodies => _gzipBodies;
    private int _gzipBodies;

    public string BaseUri { get; }

    /// <summary>Object names starting with this get a 500 on their upload initiation while <see cref="FailuresLeft"/> > 0.</summary>
    public string? FailPrefix { get; set; }
    public int FailuresLeft;

    private FakeGcsServer(WebApplication app, string address)
    {
        _app = app;
        BaseUri = $"{address}/storage/v1/";
    }

    public static async Task<FakeGcsServer> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        FakeGcsServer? server = null;
        app.Run(context => server!.HandleAsync(context));
        await app.StartAsync();
        server = new FakeGcsServer(app, app.Urls.First());
        return server;
    }

    private async Task HandleAsync(HttpContext context)
    {
        var request = context.Request;
        var raw = context.Features.Get<IHttpRequestFeature>()!.RawTarget;
        var path = raw.Split('?')[0];
        var body = await ReadBodyAsync(request);

        if (path.StartsWith("/upload-session/", StringComparison.Ordinal))
        {
            await ContinueUploadAsync(context, path["/upload-session/".Length..], body);
            return;
        }

        var marker = path.IndexOf("/b/", StringComparison.Ordinal);
        if (marker < 0)
        {
            context.Response.StatusCode = 404;
            return;
        }

        var rest = path[(marker + 3)..].Split('/', 3);
        var bucket = Uri.UnescapeDataString(rest[0]);
        if (rest.Length >= 2 && rest[1] == "o" && request.Method == "POST" && request.Query["uploadType"] == "resumable")
        {
            var name = request.Query["name"].ToString();
            var resource = body.Length > 0 ? JsonDocument.Parse(body).RootElement : default;
            if (name.Length == 0 && body.Length > 0) name = resource.GetProperty("name").GetString()!;
            var metadata = body.Length > 0 && resource.TryGetProperty("metadata", out var m) && m.ValueKind == JsonValueKind.Object
                ? m.EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString() ?? "")
                : [];
            var createOnly = request.Query["ifGenerationMatch"] == "0";
            if (createOnly && Objects.ContainsKey($"{bucket}/{name}"))
            {
                await PreconditionFailedAsync(context);
                return;
            }

            if (FailPrefix is { } prefix && name.StartsWith(prefix, StringComparison.Ordinal) && Interlocked.Decrement(ref FailuresLeft) >= 0)
            {
                // 500 rather than 503: the Google client retries 503 itself, and this is meant for Pixerve's retries.
                context.Response.StatusCode = 500;
                await context.Response.WriteAsJsonAsync(new { error = new { code = 500, message = "fake GCS: injected failure" } });
                return;
            }

            var id = Guid.NewGuid().ToString("N");
            _sessions[id] = new UploadSession(bucket, name, request.Headers["X-Upload-Content-Type"].ToString(), metadata, createOnly);
            context.Response.Headers.Location = $"{request.Scheme}://{request.Host}/upload-session/{id}";
            return;
        }

        if (rest.Length == 3 && rest[1] == "o")
        {
            var key = $"{bucket}/{Uri.UnescapeDataString(rest[2])}";
            switch (request.Method)
            {
                case "DELETE":
                    CustomMetadata.TryRemove(key, out _);
                    context.Response.StatusCode = Objects.TryRemove(key, out _) ? 204 : 404;
                    return;
                case "GET" when Objects.TryGetValue(key, out var bytes):
                    if (request.Query["alt"] == "media") await context.Response.Body.WriteAsync(bytes);
                    else await context.Response.WriteAsJsonAsync(Metadata(bucket, Uri.UnescapeDataString(rest[2]), bytes.Length, "application/octet-stream",
                        CustomMetadata.GetValueOrDefault(key)));
                    return;
            }
        }

        context.Response.StatusCode = 404;
        await context.Response.WriteAsJsonAsync(new { error = new { code = 404, message = $"fake GCS: nothing at {request.Method} {raw}" } });
    }

    /// <summary>A PUT to a session: <c>Content-Range: bytes a-b/total</c> (or <c>*/total</c>); 308 until the last byte arrives.</summary>
    private async Task ContinueUploadAsync(HttpContext context, string id, byte[] body)
    {
        if (!_sessions.TryGetValue(id, out var session))
        {
            context.Response.StatusCode = 404;
            return;
        }

        session.Content.Write(body);
        var range = context.Request.Headers.ContentRange.ToString();
        var total = range.Split('/') is [_, var t] && long.TryParse(t, out var n) ? n : (long?)null;
        if (total is null || session.Content.Length < total)
        {
            context.Response.StatusCode = 308;
            if (session.Content.Length > 0) context.Response.Headers.Range = $"bytes=0-{session.Content.Length - 1}";
            return;
        }

        var bytes = session.Content.ToArray();
        var key = $"{session.Bucket}/{session.Name}";
        _sessions.TryRemove(id, out _);
        lock (Objects)
        {
            if (session.CreateOnly && !Objects.TryAdd(key, bytes))
            {
                context.Response.StatusCode = 412;
            }
            else
            {
                Objects[key] = bytes;
                CustomMetadata[key] = session.CustomMetadata;
            }
        }

        if (context.Response.StatusCode == 412) await PreconditionFailedAsync(context);
        else await context.Response.WriteAsJsonAsync(Metadata(session.Bucket, session.Name, bytes.Length, session.ContentType, session.CustomMetadata));
    }

    private static Task PreconditionFailedAsync(HttpContext context)
    {
        context.Response.StatusCode = 412;
        return context.Response.WriteAsJsonAsync(new
        {
            error = new { code = 412, message = "fake GCS: At least one of the pre-conditions you specified did not hold.", errors = new[] { new { reason = "conditionNotMet" } } },
        });
    }

    private async Task<byte[]> ReadBodyAsync(HttpRequest request)
    {
        using var buffer = new MemoryStream();
        if (request.Headers.ContentEncoding.ToString().Contains("gzip", StringComparison.OrdinalIgnoreCase))
        {
            Interlocked.Increment(ref _gzipBodies);
            await using var gzip = new GZipStream(request.Body, CompressionMode.Decompress);
            await gzip.CopyToAsync(buffer);
        }
        else
        {
            await request.Body.CopyToAsync(buffer);
        }

        return buffer.ToArray();
    }

    private static object Metadata(string bucket, string name, long size, string contentType, Dictionary<string, string>? custom = null)
    {
        var resource = new Dictionary<string, object>
        {
            ["kind"] = "storage#object",
            ["id"] = $"{bucket}/{name}/1",
            ["bucket"] = bucket,
            ["name"] = name,
            ["size"] = size.ToString(),
            ["contentType"] = contentType,
            ["generation"] = "1",
        };
        if (custom is { Count: > 0 }) resource["metadata"] = custom;
        return resource;
    }

    public async ValueTask DisposeAsync() => await _app.DisposeAsync();

    private sealed record UploadSession(string Bucket, string Name, string ContentType, Dictionary<string, string> CustomMetadata, bool CreateOnly)
    {
        public MemoryStream Content { get; } = new();
    }
}
