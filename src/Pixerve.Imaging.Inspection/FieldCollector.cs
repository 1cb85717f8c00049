namespace Pixerve.Imaging.Inspection;

/// <summary>
/// Gathers a fixed-size header field that a streamed upload may split across any number of chunks, for the scanners
/// that read a file as it arrives (GIF frames, WebP frames, HEIF top-level boxes).
/// </summary>
internal sealed class FieldCollector(int capacity)
{
    public byte[] Bytes { get; } = new byte[capacity];

    private int _count;

    public bool IsEmpty => _count == 0;

    /// <summary>Takes from <paramref name="data"/> at <paramref name="at"/> until <paramref name="length"/> bytes are held; true once they are.</summary>
    public bool Fill(ReadOnlySpan<byte> data, ref int at, int length)
    {
        var take = Math.Min(length - _count, data.Length - at);
        data.Slice(at, take).CopyTo(Bytes.AsSpan(_count));
        _count += take;
        at += take;
        return _count == length;
    }

    public void Reset() => _count = 0;
}
