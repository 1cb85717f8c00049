using PuppeteerSharp;
using Pixerve.Testing.Fixtures;

namespace Pixerve.EndToEnd.Tests;

/// <summary>
/// Debian's chromium driven over the DevTools protocol (PuppeteerSharp), headless, with a fresh profile: the browser
/// <c>.ci/run</c> and <c>test.sh</c> install, never one downloaded.
/// </summary>
public static class Chromium
{
    public static async Task<IBrowser> LaunchAsync(string profile) =>
        await Puppeteer.LaunchAsync(new LaunchOptions
        {
            ExecutablePath = File.Exists(HeadlessChromium.Path)
                ? HeadlessChromium.Path
                : throw new InvalidOperationException($"{HeadlessChromium.Path} is missing: ./test.sh installs Debian's chromium package"),
            Headless = true,
            UserDataDir = profile,
            Args =
            [
                "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync", "--hide-scrollbars",
            ],
            DefaultViewport = new ViewPortOptions { Width = 1280, Height = 860 },
            Timeout = 60_000,
        });
}
