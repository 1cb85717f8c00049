using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.IdentityModel.Tokens;
using Pixerve.Testing;

namespace Pixerve.Bench;

/// <summary>
/// What the cluster modes (<c>--e2e</c>, <c>--soak</c>) share: their options, the cluster they start (Azurite, silo
/// processes, a gateway in this process), the job token and the upload of a photo made distinct for every job.
/// </summary>
internal static class ClusterBench
{
    public const string Secret = "bench-secret-that-is-long-enough-for-hs256-0123456789";

    /// <summary>Every upload's job, so both modes measure the same work.</summary>
    public const string JobDescription = "jpg q80 + webp q80 at boxes 1600 and 400, directHost";

    /// <summary>The job's outputs in the serve directory: two formats at two boxes.</summary>
    public const int OutputsPerJob = 4;

    /// <summary>The job's <c>subDir</c> in the serve directory.</summary>
    public const string SubDir = "bench";

    /// <summary><c>--silo-setting Pixerve:Imaging:ThreadNice=0</c> (repeatable): compare configurations in one build.</summary>
    public static Dictionary<string, string> SiloSettings(string[] args) =>
        args.Select((a, i) => (a, i)).Where(p => p.a == "--silo-setting" && p.i + 1 < args.Length)
            .Select(p => args[p.i + 1].Split('=', 2)).ToDictionary(kv => kv[0], kv => kv[1]);

    public static string Describe(IReadOnlyDictionary<string, string> siloSettings) =>
        siloSettings.Count == 0 ? "defaults" : string.Join(", ", siloSettings.Select(kv => $"{kv.Key}={kv.Value}"));

    /// <summary>The photo to upload (<c>--image NAME</c> in the images directory), or null after saying it is missing.</summary>
    public static string? Image(string[] args, string images)
    {
        var image = Path.Combine(images, Option(args, "--image") ?? "photo-1920x1280-canon.jpg");
        if (File.Exists(image)) return image;
        Console.Error.WriteLine($"missing {image}: pass --images DIR or set PIXERVE_TESTDATA");
        return null;
    }

    /// <summary>
    /// Azurite, <paramref name="silos"/> silo processes and one gateway in this process; without rate limits (the
    /// clients are all one subject on one address) and with the gateway's logs quiet, plus <paramref name="gatewaySettings"/>.
    /// </summary>
    /// <param name="durableStorage">Azurite on disk: in memory it keeps every byte ever staged in its Node heap (deleted
    /// blobs included) and dies of it after about 2,800 soak jobs.</param>
    public static Task<ProcessCluster> StartAsync(int silos, IReadOnlyDictionary<string, string> siloSettings, bool durableStorage,
        params string[] gatewaySettings) =>
        ProcessCluster.StartAsync(silos, Secret, siloSettings, durableStorage: durableStorage, gatewaySettings:
        [
            "--Pixerve:RateLimits:UploadsPerMinutePerIp=0", "--Pixerve:RateLimits:UploadsPerMinutePerSubject=0",
            "--Logging:LogLevel:Default=Error", "--Logging:LogLevel:Orleans=Error",
            .. gatewaySettings,
        ]);

    /// <summary>Uploads the photo as job <paramref name="number"/>.</summary>
    /// <returns>The job's hash (null when the upload was refused, with the HTTP status in <c>Error</c>), the
    /// acknowledgement (upload sent → answer read, seconds) and when it was sent.</returns>
    public static async Task<(string? Hash, string? Error, double Ack, DateTimeOffset Sent)> UploadAsync(HttpClient http, string token, byte[] photo, int number)
    {
        // Bytes after the JPEG end marker are ignored by decoders but make each upload a job of its own.
        var file = new ByteArrayContent([.. photo, .. BitConverter.GetBytes(number), .. Guid.NewGuid().ToByteArray()]);
        file.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        using var request = new HttpRequestMessage(HttpMethod.Post, "/upload") { Content = new MultipartFormDataContent { { file, "file", $"photo-{number}.jpg" } } };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        var sent = DateTimeOffset.UtcNow;
        var sending = Stopwatch.GetTimestamp();
        using var response = await http.SendAsync(request);
        var answer = await response.Content.ReadFromJsonAsync<JsonElement>();
        var ack = Stopwatch.GetElapsedTime(sending).TotalSeconds;
        return response.IsSuccessStatusCode
            ? (answer.GetProperty("hash").GetString()!, null, ack, sent)
            : (null, $"upload {(int)response.StatusCode}", ack, sent);
    }

    /// <summary>A job token for <see cref="JobDescription"/>, of <paramref name="subject"/> when one is given.</summary>
    public static string Token(string? subject = null)
    {
        var job = new
        {
            formats = new
            {
                jpg = new { settings = new { quality = 80 }, sizes = new[] { new[] { 1600 }, new[] { 400 } } },
                webp = new { settings = new { quality = 80 }, sizes = new[] { new[] { 1600 }, new[] { 400 } } },
            },
            directHost = true,
            subDir = SubDir,
        };
        var now = DateTimeOffset.UtcNow;
        var header = Base64UrlEncoder.Encode(JsonSerializer.SerializeToUtf8Bytes(new { alg = "HS256", typ = "JWT" }));
        // Long enough for the longest soak on a slow machine.
        object claims = subject is null
            ? new { job, iat = now.ToUnixTimeSeconds(), exp = now.AddHours(12).ToUnixTimeSeconds() }
            : new { job, sub = subject, iat = now.ToUnixTimeSeconds(), exp = now.AddHours(12).ToUnixTimeSeconds() };
        var payload = Base64UrlEncoder.Encode(JsonSerializer.SerializeToUtf8Bytes(claims));
        var signature = HMACSHA256.HashData(Encoding.UTF8.GetBytes(Secret), Encoding.UTF8.GetBytes($"{header}.{payload}"));
        return $"{header}.{payload}.{Base64UrlEncoder.Encode(signature)}";
    }

    public static string LoadAverage() =>
        File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "n/a";

    public static string? Option(string[] args, string name)
    {
        var at = Array.IndexOf(args, name);
        return at >= 0 && at + 1 < args.Length ? args[at + 1] : null;
    }

    public static int IntOption(string[] args, string name, int fallback) =>
        Option(args, name) is { } value ? int.Parse(value, CultureInfo.InvariantCulture) : fallback;
}
