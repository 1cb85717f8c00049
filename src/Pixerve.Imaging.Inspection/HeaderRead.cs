namespace Pixerve.Imaging.Inspection;

/// <summary>What reading the dimensions from the start of a file gave.</summary>
public enum HeaderRead
{
    /// <summary>Width and height were found.</summary>
    Found,

    /// <summary>The bytes so far are consistent but end before the dimensions: read more.</summary>
    NeedMore,

    /// <summary>The header is malformed; more bytes will not help.</summary>
    Invalid,
}

/// <summary>
/// What reading a header gave: the size (the largest a decode may allocate) when <see cref="Read"/> is
/// <see cref="HeaderRead.Found"/>, and a <see cref="Detail"/> for the user where there is more to say: what the size is
/// of, or why the header is refused.
/// </summary>
public readonly record struct HeaderDimensions(HeaderRead Read, int Width, int Height, string? Detail = null)
{
    public long Pixels => (long)Width * Height;
}
