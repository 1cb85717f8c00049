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

    /// <summary>A timeout anywhere in the chain (a cancelled HTTP request is the SDK's timeout: the caller's own cancel is not described).</summary>
    public static bool IsTimeout(Exception error)
    {
        for (var e = error; e is not null; e = e.InnerException)
        {
            if (e is TimeoutException or TaskCanceledException) return true;
        }

        return false;
    }

    /// <summary>
    /// The default <see cref="IObjectStore.DescribeSafely"/>: the kind of failure from the exception types alone, since
    /// their messages name paths (<c>Could not find a part of the path '/mnt/…'</c>) and endpoints.
    /// </summary>
    public static string Safe(Exception error)
    {
        if (IsTimeout(error)) return "timed out";
        for (var e = error; e is not null; e = e.InnerException)
        {
            switch (e)
            {
                // Names only the file, which the token holder's own job named.
                case ObjectConflictException conflict:
                    return conflict.Message;
                case UnauthorizedAccessException:
                    return "permission denied";
                case DirectoryNotFoundException:
                    return "its directory does not exist on the silo";
                case PathTooLongException:
                    return "the path is too long";
                case SocketException or HttpRequestException:
                    return "cannot reach the backend";
            }
        }

        return IsNetwork(error) ? "an I/O or network error" : "the write failed";
    }

    /// <summary>The root cause, whose message usually says more than the SDK's wrapper ("connection refused").</summary>
    public static Exception Innermost(Exception error)
    {
        while (error.InnerException is not null) error = error.InnerException;
        return error;
    }
}
