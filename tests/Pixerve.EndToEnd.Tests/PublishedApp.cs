using System.Diagnostics;
using Pixerve.Testing;

namespace Pixerve.EndToEnd.Tests;

/// <summary>The silo and the gateway published by deploy/publish.sh, as deploy/Dockerfile publishes them into the image.</summary>
public sealed class PublishedApp : IAsyncLifetime
{
    public string Directory { get; } = System.IO.Directory.CreateTempSubdirectory("pixerve-published-").FullName;

    public TimeSpan PublishTime { get; private set; }

    public async Task InitializeAsync()
    {
        var started = Stopwatch.StartNew();
        var publish = new ProcessStartInfo(Path.Combine(RepositoryPaths.Root, "deploy", "publish.sh"))
        {
            ArgumentList = { Directory },
            WorkingDirectory = RepositoryPaths.Root,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        // The test host's MSBuild settings are not the publish's.
        foreach (var key in publish.Environment.Keys.Where(k => k.StartsWith("MSBuild", StringComparison.OrdinalIgnoreCase)).ToList())
            publish.Environment.Remove(key);
        // …but no MSBuild node may outlive the publish, holding the test run's inherited files open.
        publish.Environment["MSBUILDDISABLENODEREUSE"] = "1";
        using var process = Process.Start(publish)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        using var deadline = new CancellationTokenSource(TimeSpan.FromMinutes(8));
        await process.WaitForExitAsync(deadline.Token);
        if (process.ExitCode != 0)
            throw new InvalidOperationException($"deploy/publish.sh failed ({process.ExitCode}):\n{await output}\n{await errors}");
        PublishTime = started.Elapsed;
    }

    public Task DisposeAsync()
    {
        System.IO.Directory.Delete(Directory, recursive: true);
        return Task.CompletedTask;
    }
}
