using System.Diagnostics;
using System.Text.Json;

namespace Pixerve.Testing;

/// <summary>
/// tus-js-client (npm, tests/servers) run by Node on one file, as a web page or an app would upload it
/// (tests/servers/tus-upload.mjs); what it did comes back as the script's JSON lines.
/// </summary>
public static class TusJsClient
{
    public sealed record Run(int ExitCode, IReadOnlyList<JsonElement> Events, string Errors)
    {
        public JsonElement? Last(string kind) => Events.LastOrDefault(e => e.GetProperty("event").GetString() == kind) is { ValueKind: JsonValueKind.Object } found
            ? found : null;

        public IEnumerable<JsonElement> All(string kind) => Events.Where(e => e.GetProperty("event").GetString() == kind);

        public override string ToString() => string.Join('\n', Events.Select(e => e.GetRawText())) + (Errors.Length > 0 ? "\nstderr: " + Errors : "");
    }

    public static async Task<Run> UploadAsync(Uri endpoint, string token, string file, long chunkSize, params string[] more)
    {
        var start = new ProcessStartInfo("node")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = Path.Combine(RepositoryPaths.Root, "tests", "servers"),
        };
        foreach (var argument in new[] { "tus-upload.mjs", "--endpoint", endpoint.AbsoluteUri, "--token", token, "--file", file, "--chunk-size", chunkSize.ToString() }.Concat(more))
            start.ArgumentList.Add(argument);
        using var process = Process.Start(start) ?? throw new InvalidOperationException("node did not start");
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        try
        {
            await process.WaitForExitAsync().WaitAsync(TimeSpan.FromMinutes(3));
        }
        catch (TimeoutException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"tus-js-client did not finish within 3 minutes: {await output}\n{await errors}");
        }

        var events = (await output).Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(line => JsonDocument.Parse(line).RootElement.Clone()).ToList();
        return new Run(process.ExitCode, events, await errors);
    }
}
