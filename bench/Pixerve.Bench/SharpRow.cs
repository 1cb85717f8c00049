using System.Diagnostics;
using System.Globalization;

namespace Pixerve.Bench;

/// <summary>
/// (d) sharp 0.35.5 from npm (its own libvips 8.18 inside), the tool a Node developer would pick instead: the script
/// in bench/sharp/bench.mjs, written the idiomatic way. It times itself inside one node process (node's start and
/// sharp's loading are not counted, as the .NET rows' are not) and reports its own peak RSS. The bench installs
/// the pinned package into bench/sharp/node_modules with <c>npm ci</c> on first use.
/// </summary>
public sealed class SharpRow : Row
{
    private static readonly Lazy<string?> Missing = new(Prepare);

    public override string Name => "sharp 0.35.5 (Node, in-process)";

    public override string? Unavailable => Missing.Value;

    public override int Run(string source, string outDir) => throw new NotSupportedException("sharp times itself: see Measure");

    public override (double Seconds, long PeakKb)? Measure(string source, int iterations)
    {
        var outDir = Directory.CreateTempSubdirectory("pixerve-bench-sharp-").FullName;
        try
        {
            var output = Exec("node", Folder, Path.Combine(Folder, "bench.mjs"), source, $"{iterations}", outDir);
            var result = output.Split('\n').FirstOrDefault(l => l.StartsWith("RESULT ", StringComparison.Ordinal))
                         ?? throw new InvalidOperationException($"sharp printed no result:\n{output}");
            var parts = result.Split(' ');
            return (double.Parse(parts[1], CultureInfo.InvariantCulture), long.Parse(parts[2], CultureInfo.InvariantCulture));
        }
        finally
        {
            Directory.Delete(outDir, recursive: true);
        }
    }

    /// <summary>bench/sharp in the checkout this bench was built from.</summary>
    private static string Folder
    {
        get
        {
            for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            {
                var candidate = Path.Combine(dir.FullName, "bench", "sharp");
                if (File.Exists(Path.Combine(candidate, "package.json"))) return candidate;
            }

            throw new InvalidOperationException("bench/sharp not found above " + AppContext.BaseDirectory);
        }
    }

    /// <summary>Null when node and the package are ready, else why the row is skipped.</summary>
    private static string? Prepare()
    {
        try
        {
            Exec("node", Folder, "--version");
        }
        catch (Exception e)
        {
            return $"Node.js is not installed ({e.Message.Split('\n')[0]})";
        }

        if (Directory.Exists(Path.Combine(Folder, "node_modules", "sharp"))) return null;
        try
        {
            Console.WriteLine("installing sharp into bench/sharp (npm ci) ...");
            Exec("npm", Folder, "ci", "--no-audit", "--no-fund", "--loglevel=error");
            return null;
        }
        catch (Exception e)
        {
            return $"npm ci in bench/sharp failed: {e.Message.Split('\n')[0]}";
        }
    }

    private static string Exec(string tool, string workingDirectory, params string[] args)
    {
        var start = new ProcessStartInfo(tool) { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = workingDirectory };
        foreach (var arg in args) start.ArgumentList.Add(arg);
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"could not start {tool}");
        var stderr = process.StandardError.ReadToEndAsync();
        var stdout = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0) throw new InvalidOperationException($"{tool} exited {process.ExitCode}: {stderr.Result}");
        return stdout;
    }
}
