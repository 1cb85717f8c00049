namespace Pixerve.Staging;

/// <summary>A parted object (a resumable upload): its properties and, until it is committed, the parts received.</summary>
/// <param name="Parts">Every part stored, in no particular order, possibly overlapping: the caller picks the chain it commits.</param>
public sealed record PartedObject(StagedObject Object, IReadOnlyList<StagedPart> Parts)
{
    /// <summary>The parts have been committed into the object's bytes.</summary>
    public bool Committed => Object.Length > 0;
}
