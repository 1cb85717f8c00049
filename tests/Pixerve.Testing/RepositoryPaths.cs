namespace Pixerve.Testing;

public static class RepositoryPaths
{
    public static string Root { get; } = FindRoot();

    /// <summary><c>PIXERVE_TESTDATA</c> when set, else the images committed with the repository, <c>tests/data/images</c>.</summary>
    public static string Images { get; } =
        Environment.GetEnvironmentVariable("PIXERVE_TESTDATA") is { Length: > 0 } dir
            ? dir
            : Path.Combine(Root, "tests", "data", "images");

    public static string Image(string name) => Path.Combine(Images, name);

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Pixerve.sln"))) return dir.FullName;
        }

        throw new InvalidOperationException($"Pixerve.sln not found above {AppContext.BaseDirectory}");
    }
}
