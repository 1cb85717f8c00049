using System.Text.Json.Nodes;

namespace Pixerve.Client;

/// <summary>
/// Builds the <c>job</c> claim of a job token, fluently:
/// <c>new JobSpecBuilder().Format("webp", f => f.Quality(75).Size(800, 600)).DirectHost().SubDir("users/42").MintToken(secret, TimeSpan.FromMinutes(10))</c>.
/// Pixerve validates the spec itself; the builder only refuses what is plainly malformed.
/// </summary>
public sealed class JobSpecBuilder
{
    private readonly List<(string Name, FormatSpecBuilder Spec)> _formats = [];
    private readonly Dictionary<string, string> _storageKeys = [];
    private readonly Dictionary<string, string> _callbackHeaders = [];
    private bool? _keepOriginal;
    private bool? _directHost;
    private string? _subDir;
    private Uri? _callback;
    private int? _priority;

    /// <summary>Adds an output format (<c>jpg</c>, <c>png</c>, <c>webp</c>, <c>avif</c>, <c>gif</c>, <c>original</c>), in the order outputs are named.</summary>
    public JobSpecBuilder Format(string format, Action<FormatSpecBuilder>? configure = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(format);
        if (_formats.Any(f => f.Name == format)) throw new ArgumentException($"format {format} is already in the spec", nameof(format));
        var spec = new FormatSpecBuilder();
        configure?.Invoke(spec);
        _formats.Add((format, spec));
        return this;
    }

    /// <summary>Also stores the uploaded bytes unchanged.</summary>
    public JobSpecBuilder KeepOriginal(bool keep = true) { _keepOriginal = keep; return this; }

    /// <summary>Stores in the gateway's serve directory, served at <c>/files/{subDir}/{name}</c>.</summary>
    public JobSpecBuilder DirectHost(bool directHost = true) { _directHost = directHost; return this; }

    /// <summary>The folder under every backend: <c>[A-Za-z0-9._-]</c> segments separated by <c>/</c>.</summary>
    public JobSpecBuilder SubDir(string subDir) { _subDir = subDir; return this; }

    /// <summary>Stores on a backend (<c>s3</c>, <c>gcs</c>, <c>sftp</c>, <c>direct</c>) with a credential key registered on the server.</summary>
    public JobSpecBuilder StorageKey(string backend, string credentialKey)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(backend);
        ArgumentException.ThrowIfNullOrWhiteSpace(credentialKey);
        _storageKeys[backend] = credentialKey;
        return this;
    }

    /// <summary>The webhook called when the job completes or fails, with headers sent along (e.g. the client's own credential).</summary>
    public JobSpecBuilder Callback(Uri url, IReadOnlyDictionary<string, string>? headers = null)
    {
        ArgumentNullException.ThrowIfNull(url);
        if (!url.IsAbsoluteUri || url.Scheme is not ("http" or "https"))
            throw new ArgumentException("the callback must be an absolute http(s) URL", nameof(url));
        _callback = url;
        foreach (var (name, value) in headers ?? new Dictionary<string, string>()) _callbackHeaders[name] = value;
        return this;
    }

    /// <summary>Higher runs first among pending jobs.</summary>
    public JobSpecBuilder Priority(int priority) { _priority = priority; return this; }

    /// <summary>The <c>job</c> claim as JSON, in the field names the server reads.</summary>
    public JsonObject Build()
    {
        if (_formats.Count == 0 && _keepOriginal != true) throw new InvalidOperationException("the job asks for nothing: add a format or KeepOriginal()");
        var job = new JsonObject();
        if (_formats.Count > 0)
            job["formats"] = new JsonObject(_formats.Select(f => KeyValuePair.Create(f.Name, (JsonNode?)f.Spec.Build())));
        if (_keepOriginal is { } keep) job["keepOriginal"] = keep;
        if (_storageKeys.Count > 0) job["storageKeys"] = Map(_storageKeys);
        if (_directHost is { } direct) job["directHost"] = direct;
        if (_subDir is not null) job["subDir"] = _subDir;
        if (_callback is not null) job["completionCallback"] = _callback.AbsoluteUri;
        if (_callbackHeaders.Count > 0) job["callbackHeaders"] = Map(_callbackHeaders);
        if (_priority is { } priority) job["priority"] = priority;
        return job;
    }

    /// <summary>Mints a token for this job; see <see cref="JobToken.Mint"/>.</summary>
    public string MintToken(string secret, TimeSpan lifetime, string? issuer = null, string? audience = null) =>
        JobToken.Mint(secret, Build(), lifetime, issuer, audience);

    private static JsonObject Map(Dictionary<string, string> values) =>
        new(values.Select(v => KeyValuePair.Create(v.Key, (JsonNode?)JsonValue.Create(v.Value))));
}

/// <summary>One format's encoder settings and output sizes.</summary>
public sealed class FormatSpecBuilder
{
    private readonly List<JsonNode> _sizes = [];
    private int? _quality;
    private int? _speed;
    private Fit? _fit;
    private Gravity? _gravity;
    private bool? _animated;

    /// <summary>Encoder quality, 1–100.</summary>
    public FormatSpecBuilder Quality(int quality)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(quality, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(quality, 100);
        _quality = quality;
        return this;
    }

    /// <summary>Encoder effort trade-off, 0–10, where the encoder has one.</summary>
    public FormatSpecBuilder Speed(int speed)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(speed);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(speed, 10);
        _speed = speed;
        return this;
    }

    /// <summary>How every size of this format fits its box, and for <see cref="Client.Fit.Cover"/> which part the crop keeps.</summary>
    public FormatSpecBuilder Fit(Fit fit, Gravity? gravity = null)
    {
        _fit = fit;
        _gravity = gravity;
        return this;
    }

    /// <summary>
    /// Whether an animated GIF or WebP source keeps its frames in this format (default true; only <c>webp</c> and
    /// <c>gif</c> animate): false makes it a still of the first frame.
    /// </summary>
    public FormatSpecBuilder Animated(bool animated = true) { _animated = animated; return this; }

    /// <summary>A box the image is fitted inside (aspect kept, never upscaled), or fitted as <see cref="Fit"/> says.</summary>
    public FormatSpecBuilder Size(int width, int height)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(width);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(height);
        _sizes.Add(new JsonArray(width, height));
        return this;
    }

    /// <summary>The square box <paramref name="side"/>×<paramref name="side"/>.</summary>
    public FormatSpecBuilder Size(int side)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(side);
        _sizes.Add(new JsonArray(side));
        return this;
    }

    /// <summary>A box with a fit (and crop gravity) of its own, whatever the format's.</summary>
    public FormatSpecBuilder Size(int width, int height, Fit fit, Gravity? gravity = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(width);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(height);
        var size = new JsonObject { ["box"] = new JsonArray(width, height), ["fit"] = Name(fit) };
        if (gravity is { } g) size["gravity"] = Name(g);
        _sizes.Add(size);
        return this;
    }

    private static string Name(Fit fit) => fit.ToString().ToLowerInvariant();

    private static string Name(Gravity gravity) => gravity.ToString().ToLowerInvariant();

    internal JsonObject Build()
    {
        var settings = new JsonObject();
        if (_quality is { } quality) settings["quality"] = quality;
        if (_speed is { } speed) settings["speed"] = speed;
        if (_fit is { } fit) settings["fit"] = Name(fit);
        if (_gravity is { } gravity) settings["gravity"] = Name(gravity);
        if (_animated is { } animated) settings["animated"] = animated;
        var spec = new JsonObject();
        if (settings.Count > 0) spec["settings"] = settings;
        // The format "original" takes no sizes; any other format without one is refused by the server, naming it.
        if (_sizes.Count > 0)
            spec["sizes"] = new JsonArray(_sizes.Select(s => (JsonNode?)s.DeepClone()).ToArray());
        return spec;
    }
}
