using System.Diagnostics;

namespace Pixerve.Testing.Fixtures;

/// <summary>
/// Debian's <c>chromium</c> in headless mode, a fresh profile per run (<c>.ci/run</c> and <c>test.sh</c> install it).
/// <c>--virtual-time-budget</c> lets the page's fetches and timers run before the DOM or the screenshot is taken.
/// </summary>
public static class HeadlessChromium
{
    public static string Path => Environment.GetEnvironmentVariable("PIXERVE_CHROMIUM") is { Length: > 0 } path ? path : "/usr/bin/chromium";

    /// <summary>The DOM after the page's scripts ran.</summary>
    public static async Task<string> DumpDomAsync(string url) =>
        (await RunAsync(["--dump-dom", url])).Output;

    /// <summary>Writes a PNG of the page, <paramref name="width"/> × <paramref name="height"/>, to <paramref name="file"/>.</summary>
    public static async Task ScreenshotAsync(string url, string file, int width = 1280, int height = 900)
    {
        var run = await RunAsync([$"--screenshot={file}", $"--window-size={width},{height}", "--hide-scrollbars", url]);
        if (!File.Exists(file)) throw new InvalidOperationException($"chromium wrote no screenshot: {run.Errors}");
    }

    private static async Task<(string Output, string Errors)> RunAsync(IEnumerable<string> arguments)
    {
        if (!File.Exists(Path)) throw new InvalidOperationException($"{Path} is missing: ./test.sh installs Debian's chromium package");
        var profile = Directory.CreateTempSubdirectory("pixerve-chromium-");
        var start = new ProcessStartInfo(Path)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var argument in new[]
                 {
                     "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-quic", "--no-first-run",
                     "--disable-background-networking", "--disable-component-update", "--disable-sync",
                     $"--user-data-dir={profile.FullName}", "--virtual-time-budget=5000",
                 }.Concat(arguments))
            start.ArgumentList.Add(argument);

        using var process = Process.Start(start) ?? throw new InvalidOperationException("chromium did not start");
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        try
        {
            await process.WaitForExitAsync().WaitAsync(TimeSpan.FromMinutes(1));
        }
        catch (TimeoutException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"chromium did not finish within a minute: {await errors}");
        }
        finally
        {
            try
            {
                profile.Delete(recursive: true);
            }
            catch (IOException)
            {
                // A helper process may still hold a file for a moment; the temp directory is cleaned eventually.
            }
        }

        if (process.ExitCode != 0) throw new InvalidOperationException($"chromium exited with {process.ExitCode}: {await errors}");
        return (await output, await errors);
    }
}
