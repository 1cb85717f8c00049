using System.Net.Sockets;
using System.Runtime.InteropServices;

namespace Pixerve.Grains.Storage;

/// <summary>One backend opened with one credential, for the duration of one store or probe.</summary>
public interface IObjectStore : IAsyncDisposable
{
    /// <summary>Writes <paramref name="relativePath"/> (<c>{subDir}/{name}</c>) under the credential's prefix; returns its URL or path.</summary>
    Task<string> PutAsync(string relativePath, OutputFile file, CancellationToken cancellationToken);

    Task DeleteAsync(string relativePath, CancellationToken cancellationToken);

    /// <summary>Worth retrying (network trouble, throttling, a server error) rather than a refusal that will repeat.</summary>
    bool IsTransient(Exception error);

    /// <summary>A short sentence for the job's error; the backend and key are added by the caller.</summary>
    string Describe(Exception error) => error.Message;
}

public static class ObjectStoreErrors
{
    /// <summary>Network-level failures anywhere in the exception chain.</summary>
    public static bool IsNetwork(Exception error)
    {
        for (var e = error; e is not null; e = e.InnerException)
        {
            if (e is SocketException or IOException or TimeoutException or HttpRequestException or TaskCanceledException)
                return true;
        }

        return false;
    }

    public static MemoryStream ReadOnlyStream(ReadOnlyMemory<byte> bytes) =>
        MemoryMarshal.TryGetArray(bytes, out var segment)
            ? new MemoryStream(segment.Array!, segment.Offset, segment.Count, writable: false)
            : new MemoryStream(bytes.ToArray(), writable: false);
}
