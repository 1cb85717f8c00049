using System.Diagnostics;
using Pixerve.Testing;

namespace Pixerve.Imaging.Tests;

/// <summary>
/// The reference encoders, npm <c>thumbhash</c> and <c>blurhash</c> under <c>tests/placeholders-reference</c>, run by
/// Node on raw pixels; installed from the lock file on first use when <c>test.sh</c> has not already done it.
/// </summary>
internal static class PlaceholderReference
{
    private static readonly string Folder = Path.Combine(RepositoryPaths.Root, "tests", "placeholders-reference");
    private static readonly Lazy<bool> Installed = new(Install);

    public static (string ThumbHash, string BlurHash) Hashes(int width, int height, byte[] rgba)
    {
        _ = Installed.Value;
        var file = Path.GetTempFileName();
        try
        {
            File.WriteAllBytes(file, rgba);
            var output = Run("node", "hashes.mjs", width.ToString(), height.ToString(), file);
            var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            Assert.Equal(2, lines.Length);
            return (lines[0], lines[1]);
        }
        finally
        {
            File.Delete(file);
        }
    }

    /// <summary>What V8 answers for <paramref name="op"/> (see <c>math.mjs</c>) on each argument.</summary>
    public static double[] Math(string op, double[] arguments)
    {
        _ = Installed.Value;
        var (input, output) = (Path.GetTempFileName(), Path.GetTempFileName());
        try
        {
            File.WriteAllBytes(input, System.Runtime.InteropServices.MemoryMarshal.AsBytes(arguments.AsSpan()).ToArray());
            Run("node", "math.mjs", op, input, output);
            return System.Runtime.InteropServices.MemoryMarshal.Cast<byte, double>(File.ReadAllBytes(output)).ToArray();
        }
        finally
        {
            File.Delete(input);
            File.Delete(output);
        }
    }

    private static bool Install()
    {
        if (!Directory.Exists(Path.Combine(Folder, "node_modules", "thumbhash")) || !Directory.Exists(Path.Combine(Folder, "node_modules", "blurhash")))
            Run("npm", "ci", "--no-audit", "--no-fund", "--loglevel=error");
        return true;
    }

    private static string Run(string program, params string[] arguments)
    {
        var start = new ProcessStartInfo(program) { WorkingDirectory = Folder, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in arguments) start.ArgumentList.Add(argument);
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"{program} did not start");
        var stderr = process.StandardError.ReadToEndAsync();
        var stdout = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0) throw new InvalidOperationException($"{program} {string.Join(' ', arguments)} exited {process.ExitCode}: {stderr.Result}");
        return stdout;
    }
}
