using Pixerve.GrainInterfaces.Jobs;

namespace Pixerve.Imaging;

/// <param name="Bytes">The encoded file, or the source itself for a byte-exact copy.</param>
public sealed record EncodedOutput(PlannedOutput Plan, ReadOnlyMemory<byte> Bytes, int Width, int Height);
