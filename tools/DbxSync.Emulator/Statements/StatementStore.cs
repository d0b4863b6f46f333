using System.Collections.Concurrent;

namespace DbxSync.Emulator.Statements;

/// <summary>
/// Keeps statements addressable by id: results are released (CLOSED) after the result retention,
/// records forgotten (404) after the statement retention.
/// </summary>
public sealed class StatementStore : IDisposable
{
    private readonly ConcurrentDictionary<string, StatementRecord> _statements = new(StringComparer.Ordinal);
    private readonly EmulatorOptions _options;
    private readonly TimeProvider _time;
    private readonly ITimer _sweeper;

    public StatementStore(EmulatorOptions options, TimeProvider time)
    {
        _options = options;
        _time = time;
        SpoolRoot = Path.Combine(Path.GetFullPath(options.DataDirectory), ".emulator", "results");
        if (Directory.Exists(SpoolRoot))
            Directory.Delete(SpoolRoot, recursive: true);
        Directory.CreateDirectory(SpoolRoot);

        var shortest = options.ResultRetention < options.StatementRetention ? options.ResultRetention : options.StatementRetention;
        var period = TimeSpan.FromTicks(Math.Clamp(shortest.Ticks / 4, TimeSpan.FromMilliseconds(250).Ticks, TimeSpan.FromSeconds(30).Ticks));
        _sweeper = time.CreateTimer(_ => Sweep(), null, period, period);
    }

    public string SpoolRoot { get; }

    public string SpoolDirectoryFor(string statementId) => Path.Combine(SpoolRoot, statementId);

    public void Add(StatementRecord record) => _statements[record.Id] = record;

    public StatementRecord? Find(string statementId) =>
        _statements.TryGetValue(statementId, out var record) ? record : null;

    public void Sweep()
    {
        var now = _time.GetUtcNow();
        foreach (var record in _statements.Values)
        {
            if (record.FinishedAt is not { } finishedAt)
                continue;
            if (now - finishedAt >= _options.StatementRetention)
            {
                _statements.TryRemove(record.Id, out _);
                StatementRunner.DeleteSpool(record);
            }
            else if (now - finishedAt >= _options.ResultRetention && record.TryClose())
            {
                StatementRunner.DeleteSpool(record);
            }
        }
    }

    public void Dispose()
    {
        _sweeper.Dispose();
        foreach (var record in _statements.Values)
            record.RequestCancel();
        var deadline = Task.WhenAll(_statements.Values.Select(record => record.Finished)).WaitAsync(TimeSpan.FromSeconds(5));
        try
        {
            deadline.GetAwaiter().GetResult();
        }
        catch (TimeoutException)
        {
            // An engine ignoring cancellation must not block shutdown.
        }
        try
        {
            Directory.Delete(SpoolRoot, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
