using System.Runtime.InteropServices;

namespace Pixerve.Storage;

/// <summary>Request bodies over the output's bytes, for SDKs that want a stream.</summary>
public static class ObjectBodies
{
    /// <summary>A read-only stream over the bytes themselves: outputs can be large, and a copy per backend adds up.</summary>
    public static MemoryStream ReadOnlyStream(ReadOnlyMemory<byte> bytes) =>
        MemoryMarshal.TryGetArray(bytes, out var segment)
            ? new MemoryStream(segment.Array!, segment.Offset, segment.Count, writable: false)
            : new MemoryStream(bytes.ToArray(), writable: false);
}
