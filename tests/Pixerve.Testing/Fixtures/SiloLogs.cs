using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace Pixerve.Testing.Fixtures;

/// <summary>
/// The warnings and errors one test silo logged, as text (the message, then each exception's type and message), the
/// newest <see cref="Capacity"/> kept: what an operator would search, for the tests that hold the logs to a promise.
/// </summary>
public sealed class SiloLogs : ILoggerProvider
{
    public const int Capacity = 5000;
    private readonly ConcurrentQueue<string> _lines = new();

    public IReadOnlyList<string> Lines => _lines.ToArray();

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    public void Dispose()
    {
    }

    private void Add(string line)
    {
        _lines.Enqueue(line);
        while (_lines.Count > Capacity) _lines.TryDequeue(out _);
    }

    private sealed class Logger(SiloLogs logs, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Warning;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (!IsEnabled(logLevel)) return;
            var line = $"{logLevel} {category}: {formatter(state, exception)}";
            for (var e = exception; e is not null; e = e.InnerException) line += $" | {e.GetType().Name}: {e.Message}";
            logs.Add(line);
        }
    }
}
