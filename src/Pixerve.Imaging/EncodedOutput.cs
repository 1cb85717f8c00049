namespace Pixerve.Imaging;

/// <param name="Bytes">The encoded file, or the source itself for a byte-exact copy.</param>
public sealed record EncodedOutput(OutputRequest Output, ReadOnlyMemory<byte> Bytes, int Width, int Height);
