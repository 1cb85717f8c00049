using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;
using Pixerve.Gateway.Auth;
using Pixerve.Gateway.Admin;

namespace Pixerve.Gateway.Jobs;

/// <summary>
/// Counts the open <c>/events</c> streams, per subject and in all, so a client cannot hold a gateway's connections
/// (and the grain subscriptions behind them) without bound. A slot is held until its request ends.
/// </summary>
public sealed class EventStreamSlots(IOptions<EventStreamOptions> options)
{
    private readonly Lock _lock = new();
    private readonly Dictionary<string, int> _perSubject = [];
    private int _total;

    public int Open
    {
        get
        {
            lock (_lock) return _total;
        }
    }

    /// <summary>A slot for the caller's stream, or null with the reason when a limit is reached.</summary>
    public (IDisposable? Slot, string? Refusal) TryTake(HttpContext http)
    {
        var subject = Subject(http);
        var limits = options.Value;
        lock (_lock)
        {
            if (_total >= limits.MaxEventStreams)
                return (null, $"this gateway has {limits.MaxEventStreams} event streams open; try again later");
            var mine = _perSubject.GetValueOrDefault(subject);
            if (mine >= limits.MaxEventStreamsPerSubject)
                return (null, $"at most {limits.MaxEventStreamsPerSubject} event streams may be open per subject; close one first");
            _perSubject[subject] = mine + 1;
            _total++;
        }

        return (new Slot(this, subject), null);
    }

    private void Release(string subject)
    {
        lock (_lock)
        {
            _total--;
            if (_perSubject[subject] <= 1) _perSubject.Remove(subject);
            else _perSubject[subject]--;
        }
    }

    /// <summary>The token's <c>sub</c>, else the token itself (hashed); the admin token is a subject of its own.</summary>
    private static string Subject(HttpContext http)
    {
        if (http.User.IsAdmin()) return "admin";
        if (http.User.FindFirst("sub")?.Value is { Length: > 0 } sub) return "sub:" + sub;
        var token = PixerveAuthentication.BearerToken(http.Request) ?? "";
        return "token:" + Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(token)), 0, 16);
    }

    private sealed class Slot(EventStreamSlots slots, string subject) : IDisposable
    {
        private int _released;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _released, 1) == 0) slots.Release(subject);
        }
    }
}
