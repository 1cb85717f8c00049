namespace Pixerve.Imaging;

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
