namespace Pixerve.Staging;

/// <summary>
/// The folder that holds the Data Protection key ring beside the staged uploads, so every silo reads the same keys.
/// Synchronous, as the key ring's own interface is: it is read at start and when keys roll, off the grain scheduler.
/// </summary>
public interface IKeyRingFolder
{
    /// <summary>The content of every key file.</summary>
    IReadOnlyList<string> ReadAll();

    /// <summary>Writes a key file, replacing one of the same name.</summary>
    void Store(string name, string content);
}
