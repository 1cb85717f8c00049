using System.Collections.Concurrent;
using System.Net.Http.Headers;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Json.Schema;

namespace Pixerve.Testing;

/// <summary>
/// openapi/pixerve.v1.json as a checker of live answers: for a request's method and path, is the answer's status
/// declared, and does its JSON body (application/json, application/problem+json) match the schema declared for that
/// status and content type? OpenAPI 3.1 schemas are JSON Schema 2020-12; each is checked with the document's
/// components beside it as <c>$defs</c>, so its <c>$ref</c>s resolve.
/// </summary>
public sealed class OpenApiContract
{
    /// <summary>The checked-in document, the one the clients are written against (a test keeps it equal to the served one).</summary>
    public static OpenApiContract Document { get; } = new(File.ReadAllText(Path.Combine(RepositoryPaths.Root, "openapi", "pixerve.v1.json")));

    /// <summary>
    /// Paths the gateway serves outside the document: pages, their assets, the dashboard, the document itself, the
    /// metrics and the orchestrator probes. Their answers are counted, not checked.
    /// </summary>
    private static readonly Regex OutsideDocument = new(
        @"^/(|admin|admin/jobs/[^/]+|dashboard(/.*)?|upload-page/.*|openapi/.*|metrics|health/live|health/ready)$", RegexOptions.Compiled);

    private readonly List<(Regex Path, string Template, JsonObject Item)> _paths = [];
    private readonly JsonObject _defs;
    private readonly ConcurrentDictionary<string, JsonSchema> _schemas = new();
    private readonly ConcurrentDictionary<string, int> _mismatchKinds = new();
    private int _checked;
    private int _outside;
    private int _mismatches;

    public OpenApiContract(string document)
    {
        var root = JsonNode.Parse(document)!.AsObject();
        _defs = Rewrite(root["components"]?["schemas"]?.DeepClone() ?? new JsonObject()).AsObject();
        foreach (var (template, item) in root["paths"]!.AsObject())
        {
            // A path parameter is one segment; the served files' {path} is the rest of the path (a catch-all route).
            var pattern = Regex.Replace(Regex.Escape(template).Replace(@"\{", "{"), @"\{([^}]+)}",
                m => template.StartsWith("/files/", StringComparison.Ordinal) ? ".+" : "[^/]+");
            _paths.Add((new Regex($"^{pattern}$"), template, item!.AsObject()));
        }
    }

    /// <summary>
    /// <c>PIXERVE_OPENAPI_VALIDATOR=report</c>: mismatches are written to <see cref="LogPath"/> instead of failing
    /// their tests, to see every one of a run at once (while changing the document, not in CI).
    /// </summary>
    public static bool ReportOnly { get; } = Environment.GetEnvironmentVariable("PIXERVE_OPENAPI_VALIDATOR") == "report";

    /// <summary>Where the report-only mode writes each mismatch, and every run its closing figures.</summary>
    public static string LogPath { get; } = Path.Combine(AppContext.BaseDirectory, "openapi-validator.log");

    static OpenApiContract() =>
        AppDomain.CurrentDomain.ProcessExit += (_, _) =>
        {
            // The run's figures, for whoever reads the test output or the log beside the test assembly.
            var lines = new[] { Document.Summary }.Concat(Document.MismatchKinds.OrderBy(k => k.Key).Select(k => $"  {k.Value}× {k.Key}"));
            var text = string.Join(Environment.NewLine, lines) + Environment.NewLine;
            Console.Error.Write(text);
            try
            {
                File.AppendAllText(LogPath, text);
            }
            catch (IOException)
            {
            }
        };

    /// <summary>Answers checked against the document (status and, for JSON, body).</summary>
    public int Checked => _checked;

    /// <summary>Answers on paths the document leaves out on purpose (<see cref="OutsideDocument"/>).</summary>
    public int Outside => _outside;

    /// <summary>Answers that did not match the document.</summary>
    public int Mismatches => _mismatches;

    /// <summary>Each kind of mismatch ("GET /status 200: …") with how often it was seen.</summary>
    public IReadOnlyDictionary<string, int> MismatchKinds => _mismatchKinds;

    public string Summary =>
        $"openapi validator: {Checked} answers checked, {Mismatches} mismatches, {Outside} answers on paths outside the document";

    /// <summary>
    /// The contract of a gateway that serves more than the checked-in document (a test's own storage provider
    /// adds a credential type): its served document, its answers counted in <paramref name="totals"/>.
    /// </summary>
    public OpenApiContract(string document, OpenApiContract totals) : this(document) => _totals = totals;

    private readonly OpenApiContract? _totals;

    /// <summary>Checks one answer; null when it is what the document declares, else what is wrong.</summary>
    public string? Check(string method, string path, int status, string? contentType, string? body, bool corsPreflight = false)
    {
        method = method.ToUpperInvariant();
        if (corsPreflight || OutsideDocument.IsMatch(path))
        {
            Interlocked.Increment(ref _outside);
            if (_totals is not null) Interlocked.Increment(ref _totals._outside);
            return null;
        }

        Interlocked.Increment(ref _checked);
        if (_totals is not null) Interlocked.Increment(ref _totals._checked);
        var error = Find(method, path, status, contentType, body, out var kind);
        if (error is null) return null;
        Interlocked.Increment(ref _mismatches);
        _mismatchKinds.AddOrUpdate(kind!, 1, (_, n) => n + 1);
        if (_totals is not null)
        {
            Interlocked.Increment(ref _totals._mismatches);
            _totals._mismatchKinds.AddOrUpdate(kind!, 1, (_, n) => n + 1);
        }
        var mismatch = $"{method} {path} answered {status} {contentType}: {error}";
        if (ReportOnly) lock (_mismatchKinds) File.AppendAllText(LogPath, mismatch + Environment.NewLine);
        return mismatch;
    }

    private string? Find(string method, string path, int status, string? contentType, string? body, out string? kind)
    {
        var media = contentType is null ? null : MediaTypeHeaderValue.TryParse(contentType, out var parsed) ? parsed!.MediaType : contentType;
        var isJson = media is not null && (media == "application/json" || media.EndsWith("+json", StringComparison.Ordinal));
        var match = _paths.FirstOrDefault(p => p.Path.IsMatch(path));
        JsonObject? operation = null;
        if (match.Item is not null) operation = match.Item[method.ToLowerInvariant()]?.AsObject();
        // HEAD is GET without the body (RFC 9110 9.3.2): ASP.NET answers it for every GET endpoint, and the
        // document lists GET only.
        if (operation is null && method == "HEAD" && match.Item is not null) operation = match.Item["get"]?.AsObject();
        if (operation is null)
        {
            // Not an operation of the document: the answer of any unknown path or method, a problem with its detail.
            var where = match.Item is null ? "(unknown path)" : $"{method} {match.Template} (method not in the document)";
            var label = $"{where} {status}";
            kind = label;
            if (status is not (404 or 405)) return $"{where}: only 404 or 405 may answer it";
            return isJson && method != "HEAD" ? Validate("#/$defs/ProblemDetails", body, out kind, label) : null;
        }

        var op = $"{method} {match.Template}";
        kind = $"{op} {status}: status not declared";
        var responses = operation["responses"]!.AsObject();
        if (responses[status.ToString(System.Globalization.CultureInfo.InvariantCulture)] is not JsonObject response)
            return $"status {status} is not declared (declared: {string.Join(", ", responses.Select(r => r.Key))})";

        var content = response["content"]?.AsObject();
        kind = $"{op} {status} {media}: content type not declared";
        if (content is null || content.Count == 0)
            return isJson && !string.IsNullOrWhiteSpace(body) ? "a JSON body where the document declares none" : null;
        if (!isJson || method == "HEAD") return null;
        if (content[media!] is not JsonObject declared)
            return $"content type {media} is not declared (declared: {string.Join(", ", content.Select(c => c.Key))})";
        if (declared["schema"] is not JsonNode schema) return null;
        var pointer = $"paths/{match.Template}/{method.ToLowerInvariant()}/responses/{status}/content/{media}";
        return Validate(pointer, schema, body, out kind, $"{op} {status} {media}");
    }

    private string? Validate(string key, string? body, out string? kind, string label) =>
        Validate(key, new JsonObject { ["$ref"] = key }, body, out kind, label);

    private string? Validate(string key, JsonNode schema, string? body, out string? kind, string label)
    {
        kind = label;
        JsonDocument instance;
        try
        {
            instance = JsonDocument.Parse(string.IsNullOrEmpty(body) ? "null" : body);
        }
        catch (JsonException e)
        {
            kind = $"{label}: body is not JSON";
            return $"the body is not JSON ({e.Message})";
        }

        using (instance)
        {
            var compiled = _schemas.GetOrAdd(key, _ =>
            {
                var wrapper = Rewrite(schema.DeepClone()) as JsonObject ?? new JsonObject { ["allOf"] = new JsonArray(Rewrite(schema.DeepClone())) };
                wrapper["$defs"] = _defs.DeepClone();
                // Its own base URI: the library registers every schema it builds (in its global registry) under
                // one, and refuses to register two under the same.
                return JsonSchema.FromText(wrapper.ToJsonString(), baseUri: new Uri($"https://pixerve.invalid/openapi/{Guid.NewGuid():N}"));
            });
            var result = compiled.Evaluate(instance.RootElement, new EvaluationOptions { OutputFormat = OutputFormat.List });
            if (result.IsValid) return null;
            var details = result.Details is { } all ? all.AsEnumerable() : Enumerable.Empty<EvaluationResults>();
            var errors = details
                .Where(d => d.Errors is { Count: > 0 })
                .SelectMany(d => d.Errors!.Select(e => $"{d.InstanceLocation}: {e.Value} ({d.EvaluationPath})"))
                .Take(6).ToList();
            if (errors.Count == 0 && result.Errors is { Count: > 0 }) errors.AddRange(result.Errors.Select(e => $"{e.Key}: {e.Value}"));
            kind = $"{label}: {string.Join("; ", errors.Take(2).Select(e => Regex.Replace(e, @"""[^""]*""", "…")))}";
            return $"the body does not match its schema: {string.Join("; ", errors)}; body: {Shorten(body)}";
        }
    }

    /// <summary>Points the document's references to its components at the <c>$defs</c> each checked schema carries.</summary>
    private static JsonNode Rewrite(JsonNode node)
    {
        switch (node)
        {
            case JsonObject o:
                foreach (var (name, value) in o.ToList())
                {
                    if (name == "$ref" && value is JsonValue v && v.GetValue<string>() is { } reference)
                        o[name] = reference.Replace("#/components/schemas/", "#/$defs/", StringComparison.Ordinal);
                    else if (value is not null) Rewrite(value);
                }
                break;
            case JsonArray a:
                foreach (var item in a) if (item is not null) Rewrite(item);
                break;
        }
        return node;
    }

    private static string Shorten(string? body) => body is null ? "(none)" : body.Length <= 400 ? body : body[..400] + "…";
}

/// <summary>A live answer that the document does not declare: fails the test whose request received it.</summary>
public sealed class OpenApiContractException(string message) : Exception(message);

/// <summary>
/// Checks every answer a client receives against <see cref="OpenApiContract.Document"/> and throws
/// <see cref="OpenApiContractException"/> on a mismatch, naming the request and what is wrong. A JSON body is read
/// into the response's buffer first, so the caller reads it as before; any other body (images, event streams) is
/// left unread.
/// </summary>
public sealed class OpenApiValidatingHandler(OpenApiContract contract) : DelegatingHandler(new HttpClientHandler())
{
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var response = await base.SendAsync(request, cancellationToken);
        var contentType = response.Content.Headers.ContentType?.ToString();
        var media = response.Content.Headers.ContentType?.MediaType;
        string? body = null;
        if (media is not null && (media == "application/json" || media.EndsWith("+json", StringComparison.Ordinal)) && request.Method != HttpMethod.Head)
        {
            await response.Content.LoadIntoBufferAsync(cancellationToken);
            body = await response.Content.ReadAsStringAsync(cancellationToken);
        }

        var preflight = request.Method == HttpMethod.Options && request.Headers.Contains("Access-Control-Request-Method");
        var path = request.RequestUri!.IsAbsoluteUri ? request.RequestUri.AbsolutePath : new Uri(new Uri("http://x"), request.RequestUri).AbsolutePath;
        if (contract.Check(request.Method.Method, Uri.UnescapeDataString(path), (int)response.StatusCode, contentType, body, preflight) is { } mismatch &&
            !OpenApiContract.ReportOnly)
        {
            response.Dispose();
            throw new OpenApiContractException($"the answer is not what openapi/pixerve.v1.json declares: {mismatch}");
        }

        return response;
    }
}
