using System.Text.Json;

namespace Pixerve.Architecture.Tests;

/// <summary>
/// Everything a source project resolves at build time, direct or transitive, packages and projects alike: the
/// <c>targets</c> section of the <c>obj/project.assets.json</c> restore writes. Read from restore's output rather than
/// from loaded assemblies because an assembly lists only the references its code happens to use, while a
/// dependency ships (natives included) as soon as it is referenced.
/// </summary>
public static class DependencyGraph
{
    public static IReadOnlyList<string> Of(string project)
    {
        var assets = Path.Combine(Repository.Root, "src", project, "obj", "project.assets.json");
        Assert.True(File.Exists(assets), $"{assets} is missing: build or restore the solution before this test");
        using var document = JsonDocument.Parse(File.ReadAllText(assets));
        return document.RootElement.GetProperty("targets").EnumerateObject()
            .Where(target => !target.Name.Contains('/')) // the framework target, not a runtime-specific one
            .SelectMany(target => target.Value.EnumerateObject())
            .Select(library => library.Name[..library.Name.IndexOf('/')])
            .Distinct(StringComparer.OrdinalIgnoreCase)
            .Order(StringComparer.OrdinalIgnoreCase)
            .ToList();
    }
}
