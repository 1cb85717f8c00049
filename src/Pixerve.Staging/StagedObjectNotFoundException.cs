namespace Pixerve.Staging;

/// <summary>The staged object read is not there (never was, or it was deleted).</summary>
public sealed class StagedObjectNotFoundException(string name, Exception? inner = null)
    : Exception($"the staged object {name} does not exist", inner)
{
    public string Name { get; } = name;
}
