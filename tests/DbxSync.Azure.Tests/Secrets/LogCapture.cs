using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace DbxSync.Azure.Tests.Secrets;

/// <summary>Collects every formatted log message (and its exception text) so tests can assert what never gets logged.</summary>
public sealed class LogCapture : ILoggerProvider
{
    private readonly ConcurrentQueue<string> _messages = new();

    public IReadOnlyCollection<string> Messages => _messages;

    public string AllText => string.Join("\n", _messages);

    public void Add(string message) => _messages.Enqueue(message);

    public ILogger<T> CreateLogger<T>() => new CapturingLogger<T>(this, typeof(T).FullName!);

    public ILogger CreateLogger(string categoryName) => new CapturingLogger<object>(this, categoryName);

    public void Dispose() { }

    private sealed class CapturingLogger<T>(LogCapture capture, string category) : ILogger<T>
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            // Structured arguments too: a value could hide in a property without being in the template text.
            var arguments = state is IEnumerable<KeyValuePair<string, object?>> pairs ? string.Join(";", pairs.Select(p => $"{p.Key}={p.Value}")) : "";
            capture.Add($"{logLevel} {category}: {formatter(state, exception)} [{arguments}] {exception}");
        }
    }
}
