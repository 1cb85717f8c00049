using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace Pixerve.Testing.Fixtures;

/// <summary>A logger provider that keeps every event of a host, so a test can read what was logged (and what was not).</summary>
public sealed class CapturedLogs : ILoggerProvider
{
    private readonly ConcurrentQueue<CapturedLog> _events = new();

    public IReadOnlyList<CapturedLog> Events => _events.ToArray();

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    public void Dispose()
    {
    }

    private sealed class Logger(CapturedLogs logs, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            var fields = state as IReadOnlyList<KeyValuePair<string, object?>> ?? [];
            logs._events.Enqueue(new CapturedLog(category, eventId, formatter(state, exception),
                fields.ToDictionary(f => f.Key, f => f.Value?.ToString())));
        }
    }
}

/// <summary>One log event: its category, id, rendered message and structured fields.</summary>
public sealed record CapturedLog(string Category, EventId EventId, string Message, IReadOnlyDictionary<string, string?> Fields);
