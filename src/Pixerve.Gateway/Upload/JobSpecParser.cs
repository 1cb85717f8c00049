using System.Text.Json;
using System.Text.RegularExpressions;
using Pixerve.GrainInterfaces.Jobs;
using Pixerve.Storage;
using Pixerve.Imaging.Inspection.Formats;

namespace Pixerve.Gateway.Upload;

/// <summary>A spec the server refuses, naming the field at fault.</summary>
public sealed class JobSpecException(string field, string message) : Exception($"{field}: {message}")
{
    public string Field { get; } = field;
}

/// <summary>Reads and validates a job token's <c>job</c> claim (docs/http-api.md, "Job tokens").</summary>
/// <param name="backends">The registered storage providers: the backends <c>storageKeys</c> may name.</param>
public sealed partial class JobSpecParser(StorageProviderRegistry backends)
{
    public const int MaxOutputSide = 8192;
    public const int DefaultMaxOutputs = 32;

    /// <summary>The 400's detail for a claim escaping an unpaired UTF-16 surrogate, which has no UTF-8 form.</summary>
    public const string BadText = "the job claim holds a string that is not valid UTF-16 (an unpaired surrogate such as \\ud800)";

    /// <param name="maxOutputs">The most files one job may produce (<c>Pixerve:Limits:MaxOutputsPerJob</c>).</param>
    public JobSpec Parse(string? json, int maxOutputs = DefaultMaxOutputs)
    {
        if (string.IsNullOrWhiteSpace(json)) throw new JobSpecException("job", "the token carries no job claim");
        JsonElement root;
        try
        {
            root = JsonDocument.Parse(json).RootElement;
        }
        catch (JsonException)
        {
            throw new JobSpecException("job", "the job claim is not valid JSON");
        }

        try
        {
            // Also reads every key and string, which is where an unpaired surrogate escape first throws.
            JobIdentity.Canonicalize(json);
        }
        catch (JsonException)
        {
            throw new JobSpecException("job", BadText);
        }

        if (root.ValueKind != JsonValueKind.Object) throw new JobSpecException("job", "must be an object");
        // JsonElement answers the last of duplicate keys while other readers take the first: one meaning only.
        RefuseDuplicateKeys(root, "job");

        var formats = root.TryGetProperty("formats", out var f) ? ParseFormats(f, maxOutputs) : [];
        var keepOriginal = Bool(root, "keepOriginal");
        if (formats.Count == 0 && !keepOriginal)
            throw new JobSpecException("formats", "the job asks for nothing: name at least one format or set keepOriginal");

        var storageKeys = StringMap(root, "storageKeys");
        foreach (var (backend, key) in storageKeys)
        {
            // Whether the key exists is asked of the credential store afterwards (StorageKeyCheck).
            if (!backends.TryGet(backend, out _))
                throw new JobSpecException($"storageKeys.{backend}", $"unknown backend; use {backends.NameList}");
            if (key.Length == 0) throw new JobSpecException($"storageKeys.{backend}", "must name a credential");
        }

        var directHost = Bool(root, "directHost");
        if (!directHost && storageKeys.Count == 0)
            throw new JobSpecException("directHost", "the job stores nowhere: set directHost or storageKeys");

        return new JobSpec
        {
            Formats = formats,
            KeepOriginal = keepOriginal,
            StorageKeys = storageKeys,
            DirectHost = directHost,
            SubDir = SubDir(root),
            CompletionCallback = Callback(root),
            CallbackHeaders = StringMap(root, "callbackHeaders"),
            Priority = root.TryGetProperty("priority", out var p) ? Int(p, "priority", int.MinValue, int.MaxValue) : 0,
        };
    }

    private static void RefuseDuplicateKeys(JsonElement element, string path)
    {
        if (element.ValueKind == JsonValueKind.Object)
        {
            var names = new HashSet<string>(StringComparer.Ordinal);
            foreach (var property in element.EnumerateObject())
            {
                var at = path == "job" ? property.Name : $"{path}.{property.Name}";
                if (!names.Add(property.Name)) throw new JobSpecException(at, "is given more than once");
                RefuseDuplicateKeys(property.Value, at);
            }
        }
        else if (element.ValueKind == JsonValueKind.Array)
        {
            var index = 0;
            foreach (var item in element.EnumerateArray()) RefuseDuplicateKeys(item, $"{path}[{index++}]");
        }
    }

    private static List<FormatRequest> ParseFormats(JsonElement formats, int maxOutputs)
    {
        if (formats.ValueKind != JsonValueKind.Object)
            throw new JobSpecException("formats", "must be an object mapping a format to its settings and sizes");

        var result = new List<FormatRequest>();
        var outputs = 0;
        // A name carries the format and the box only: two outputs named alike must be the same work.
        var named = new Dictionary<(string Extension, int Width, int Height), (string Field, object Work)>();
        foreach (var entry in formats.EnumerateObject())
        {
            var field = $"formats.{entry.Name}";
            if (!OutputFormats.TryParse(entry.Name, out var info))
                throw new JobSpecException(field, $"unknown format; use {OutputFormats.Names}");
            var format = info.Format;
            if (entry.Value.ValueKind != JsonValueKind.Object) throw new JobSpecException(field, "must be an object");

            int? quality = null, speed = null;
            var (fit, gravity) = (FitMode.Inside, CropGravity.Centre);
            var still = false;
            if (entry.Value.TryGetProperty("settings", out var settings) && settings.ValueKind == JsonValueKind.Object)
            {
                // Checked for every format, also one that ignores the setting (OutputFormatInfo.DefaultQuality/DefaultSpeed null).
                if (settings.TryGetProperty("quality", out var q)) quality = Int(q, $"{field}.settings.quality", OutputFormats.MinQuality, OutputFormats.MaxQuality);
                if (settings.TryGetProperty("speed", out var s)) speed = Int(s, $"{field}.settings.speed", OutputFormats.MinSpeed, OutputFormats.MaxSpeed);
                (fit, gravity) = FitAndGravity(settings, $"{field}.settings", fit, gravity);
                // Only formats that animate (OutputFormatInfo.Animates) keep frames; the others always take an animated source's first frame.
                if (settings.TryGetProperty("animated", out var a))
                    still = a.ValueKind switch
                    {
                        JsonValueKind.True => false,
                        JsonValueKind.False => true,
                        _ => throw new JobSpecException($"{field}.settings.animated", "must be true or false"),
                    };
            }

            var sizes = info.IsCopy ? [] : ParseSizes(entry.Value, $"{field}.sizes", fit, gravity);
            outputs += Math.Max(1, sizes.Count);
            if (outputs > maxOutputs)
                throw new JobSpecException($"{field}.sizes", $"a job may produce at most {maxOutputs} files (Pixerve:Limits:MaxOutputsPerJob)");
            for (var i = 0; i < sizes.Count; i++)
            {
                var box = sizes[i];
                var at = $"{field}.sizes[{i}]";
                var work = (box.Fit, box.Gravity, quality, speed, still);
                if (!named.TryAdd((OutputPlan.Extension(format), box.Width, box.Height), (at, work)) &&
                    named[(OutputPlan.Extension(format), box.Width, box.Height)] is var (other, otherWork) && !otherWork.Equals(work))
                    throw new JobSpecException(at, $"names the same file as {other} (_{box.Height}_{box.Width}_.{OutputPlan.Extension(format)}) " +
                        "with other settings; an output name carries only the format and the box");
            }

            result.Add(new FormatRequest(format, quality, speed, sizes) { Still = still });
        }

        return result;
    }

    /// <param name="fit">The format's fit (from its settings), which a size given as an object may override.</param>
    private static List<BoxSize> ParseSizes(JsonElement format, string field, FitMode fit, CropGravity gravity)
    {
        if (!format.TryGetProperty("sizes", out var sizes) || sizes.ValueKind != JsonValueKind.Array || sizes.GetArrayLength() == 0)
            throw new JobSpecException(field, "give at least one size as [width, height] or [side]");

        var result = new List<BoxSize>();
        var index = 0;
        foreach (var size in sizes.EnumerateArray())
        {
            var at = $"{field}[{index++}]";
            if (size.ValueKind == JsonValueKind.Object)
            {
                // {"box": [w, h], "fit": "cover", "gravity": "attention"}: one size with a fit of its own.
                var (width, height) = Box(size.TryGetProperty("box", out var box) ? box : default, $"{at}.box");
                var (sizeFit, sizeGravity) = FitAndGravity(size, at, fit, gravity);
                result.Add(new BoxSize(width, height, sizeFit, sizeGravity));
            }
            else
            {
                var (width, height) = Box(size, at);
                result.Add(new BoxSize(width, height, fit, gravity));
            }
        }

        return result;
    }

    private static (int Width, int Height) Box(JsonElement size, string at)
    {
        if (size.ValueKind != JsonValueKind.Array || size.GetArrayLength() is not (1 or 2))
            throw new JobSpecException(at, "must be [width, height] or [side]");
        var width = Int(size[0], at, 1, MaxOutputSide);
        var height = size.GetArrayLength() == 2 ? Int(size[1], at, 1, MaxOutputSide) : width;
        return (width, height);
    }

    /// <summary>The <c>fit</c> and <c>gravity</c> of <paramref name="owner"/> (settings or a size), each defaulting to what encloses it.</summary>
    private static (FitMode Fit, CropGravity Gravity) FitAndGravity(JsonElement owner, string field, FitMode fit, CropGravity gravity)
    {
        if (owner.TryGetProperty("fit", out var f) && f.ValueKind != JsonValueKind.Null)
        {
            fit = (f.ValueKind == JsonValueKind.String ? f.GetString() : null) switch
            {
                "inside" => FitMode.Inside,
                "cover" => FitMode.Cover,
                "fill" => FitMode.Fill,
                _ => throw new JobSpecException($"{field}.fit", "unknown fit; use inside, cover or fill"),
            };
        }

        if (owner.TryGetProperty("gravity", out var g) && g.ValueKind != JsonValueKind.Null)
        {
            gravity = (g.ValueKind == JsonValueKind.String ? g.GetString() : null) switch
            {
                "centre" or "center" => CropGravity.Centre,
                "attention" => CropGravity.Attention,
                "entropy" => CropGravity.Entropy,
                _ => throw new JobSpecException($"{field}.gravity", "unknown gravity; use centre, attention or entropy"),
            };
        }

        return (fit, gravity);
    }

    private static string SubDir(JsonElement root)
    {
        if (!root.TryGetProperty("subDir", out var value) || value.ValueKind == JsonValueKind.Null) return "";
        if (value.ValueKind != JsonValueKind.String) throw new JobSpecException("subDir", "must be a string");
        var subDir = value.GetString()!.Trim('/');
        if (subDir.Length > 200) throw new JobSpecException("subDir", "is longer than 200 characters");
        if (subDir.Length > 0 && subDir.Split('/').Any(segment => !SubDirSegment().IsMatch(segment) || segment is "." or ".."))
            throw new JobSpecException("subDir", "segments may hold only A-Z a-z 0-9 . _ - and may not be '.' or '..'");
        return subDir;
    }

    private static string? Callback(JsonElement root)
    {
        if (!root.TryGetProperty("completionCallback", out var value) || value.ValueKind == JsonValueKind.Null) return null;
        if (value.ValueKind != JsonValueKind.String ||
            !Uri.TryCreate(value.GetString(), UriKind.Absolute, out var uri) ||
            uri.Scheme is not ("http" or "https"))
            throw new JobSpecException("completionCallback", "must be an absolute http or https URL");
        return uri.ToString();
    }

    private static bool Bool(JsonElement root, string name) =>
        root.TryGetProperty(name, out var value) && value.ValueKind switch
        {
            JsonValueKind.True => true,
            JsonValueKind.False or JsonValueKind.Null => false,
            _ => throw new JobSpecException(name, "must be true or false"),
        };

    private static int Int(JsonElement value, string field, int min, int max)
    {
        if (value.ValueKind != JsonValueKind.Number || !value.TryGetInt32(out var number) || number < min || number > max)
            throw new JobSpecException(field, $"must be a whole number from {min} to {max}");
        return number;
    }

    private static Dictionary<string, string> StringMap(JsonElement root, string name)
    {
        var result = new Dictionary<string, string>();
        if (!root.TryGetProperty(name, out var map) || map.ValueKind == JsonValueKind.Null) return result;
        if (map.ValueKind != JsonValueKind.Object) throw new JobSpecException(name, "must be an object of strings");
        foreach (var entry in map.EnumerateObject())
        {
            if (entry.Value.ValueKind != JsonValueKind.String)
                throw new JobSpecException($"{name}.{entry.Name}", "must be a string");
            result[entry.Name] = entry.Value.GetString()!;
        }

        return result;
    }

    // \A…\z: '$' also matches before a trailing newline, which let "a\n" through as a directory name.
    [GeneratedRegex(@"\A[A-Za-z0-9._-]+\z")]
    private static partial Regex SubDirSegment();
}
