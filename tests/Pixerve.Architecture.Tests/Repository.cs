namespace Pixerve.Architecture.Tests;

/// <summary>The checkout this test runs from: found by walking up to <c>Pixerve.sln</c>.</summary>
public static class Repository
{
    public static string Root { get; } = FindRoot();

    /// <summary>Every C# source file we write (no build output, no dependencies), relative to the root.</summary>
    public static IEnumerable<string> SourceFiles() =>
        new[] { "src", "tests", "bench" }
            .SelectMany(top => Directory.EnumerateFiles(Path.Combine(Root, top), "*.cs", SearchOption.AllDirectories))
            .Select(path => Path.GetRelativePath(Root, path).Replace('\\', '/'))
            .Where(path => !path.Split('/').Any(part => part is "bin" or "obj" or "node_modules"))
            .Order(StringComparer.Ordinal);

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Pixerve.sln"))) return dir.FullName;
        throw new InvalidOperationException($"no Pixerve.sln above {AppContext.BaseDirectory}");
    }
}
