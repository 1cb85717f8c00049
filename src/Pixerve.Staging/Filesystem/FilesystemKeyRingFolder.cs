namespace Pixerve.Staging.Filesystem;

/// <summary>The key ring as <c>*.xml</c> files in a folder of the staging volume, each written whole (temporary file, then rename).</summary>
internal sealed class FilesystemKeyRingFolder(string folder) : IKeyRingFolder
{
    public IReadOnlyList<string> ReadAll()
    {
        if (!Directory.Exists(folder)) return [];
        return Directory.EnumerateFiles(folder, "*.xml").Order(StringComparer.Ordinal).Select(File.ReadAllText).ToList();
    }

    public void Store(string name, string content)
    {
        Directory.CreateDirectory(folder);
        FileNames.Replace(Path.Combine(folder, name + ".xml"), System.Text.Encoding.UTF8.GetBytes(content));
    }
}
