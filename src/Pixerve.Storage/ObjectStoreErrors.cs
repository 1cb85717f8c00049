using System.Net.Sockets;

namespace Pixerve.Storage;

/// <summary>What every backend's <see cref="IObjectStore.IsTransient"/> and <see cref="IObjectStore.Describe"/> share.</summary>
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

    /// <summary>The root cause, whose message usually says more than the SDK's wrapper ("connection refused").</summary>
    public static Exception Innermost(Exception error)
    {
        while (error.InnerException is not null) error = error.InnerException;
        return error;
    }
}
