using System.Globalization;

namespace Pixerve.Staging;

/// <summary>A part of a parted object: the bytes from <see cref="Offset"/>, <see cref="Length"/> long.</summary>
public readonly record struct StagedPart(long Offset, long Length)
{
    /// <summary>The part's name where the store keeps parts by name: its offset and length, fixed width, so names sort by offset.</summary>
    public string Name => Offset.ToString("D19", CultureInfo.InvariantCulture) + Length.ToString("D10", CultureInfo.InvariantCulture);

    /// <summary>The part a name (<see cref="Name"/>) stands for; null for anything else.</summary>
    public static StagedPart? Parse(ReadOnlySpan<char> name) =>
        name.Length == 29 &&
        long.TryParse(name[..19], NumberStyles.None, CultureInfo.InvariantCulture, out var offset) &&
        long.TryParse(name[19..], NumberStyles.None, CultureInfo.InvariantCulture, out var length)
            ? new StagedPart(offset, length)
            : null;
}
