using System.Collections.Concurrent;

namespace DbxSync.Emulator.Admin;

/// <summary>Counters that let tests assert how a client used the workspace (retries, duplicate statements, ...).</summary>
public sealed class EmulatorStats
{
    private const int RecentStatementCapacity = 10_000;
    private const int RecentStatementTextLimit = 500;

    private readonly ConcurrentDictionary<string, long> _requestsByRoute = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, long> _failedRequests = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, long> _statementsByPrefix = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<string> _recentStatements = new();
    private long _statementsExecuted;

    public IReadOnlyDictionary<string, long> RequestsByRoute => new Dictionary<string, long>(_requestsByRoute);
    /// <summary>Requests answered 4xx/5xx, keyed "METHOD /route/pattern STATUS": lets a test prove a client never hit an error on its way.</summary>
    public IReadOnlyDictionary<string, long> FailedRequests => new Dictionary<string, long>(_failedRequests);
    public IReadOnlyDictionary<string, long> StatementsByPrefix => new Dictionary<string, long>(_statementsByPrefix);
    public long StatementsExecuted => Interlocked.Read(ref _statementsExecuted);

    /// <summary>Key is "METHOD /route/pattern" so parameterised routes aggregate.</summary>
    public long RequestsFor(string route) => _requestsByRoute.GetValueOrDefault(route);

    public long StatementsWithPrefix(string prefix) => _statementsByPrefix.GetValueOrDefault(prefix.ToUpperInvariant());

    /// <summary>Counts recently executed statements (the last 10,000, first 500 chars each) containing the text.</summary>
    public int StatementsContaining(string text) =>
        _recentStatements.Count(statement => statement.Contains(text, StringComparison.OrdinalIgnoreCase));

    public void CountRequest(string route) => _requestsByRoute.AddOrUpdate(route, 1, (_, count) => count + 1);

    public void CountFailedRequest(string route, int status) =>
        _failedRequests.AddOrUpdate($"{route} {status}", 1, (_, count) => count + 1);

    public void CountStatement(string statement)
    {
        Interlocked.Increment(ref _statementsExecuted);
        _statementsByPrefix.AddOrUpdate(PrefixOf(statement), 1, (_, count) => count + 1);
        _recentStatements.Enqueue(statement.Length > RecentStatementTextLimit ? statement[..RecentStatementTextLimit] : statement);
        while (_recentStatements.Count > RecentStatementCapacity && _recentStatements.TryDequeue(out _))
        {
        }
    }

    public void Reset()
    {
        _requestsByRoute.Clear();
        _failedRequests.Clear();
        _statementsByPrefix.Clear();
        _recentStatements.Clear();
        Interlocked.Exchange(ref _statementsExecuted, 0);
    }

    /// <summary>The leading keyword (SELECT, MERGE, DESCRIBE, ...) is what tests group by.</summary>
    public static string PrefixOf(string statement)
    {
        var trimmed = statement.AsSpan().TrimStart();
        var end = 0;
        while (end < trimmed.Length && char.IsLetter(trimmed[end]))
            end++;
        return end == 0 ? "(OTHER)" : trimmed[..end].ToString().ToUpperInvariant();
    }
}
