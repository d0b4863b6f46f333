using System.Collections.Concurrent;
using System.Text.RegularExpressions;
using DbxSync.Emulator.Sql;

namespace DbxSync.Emulator.Tests.Http;

/// <summary>
/// A scripted ISqlEngine so the HTTP surface can be tested without the real SQLite engine. Recognised statements:
/// SELECT 1 | SELECT * FROM range(N) | SELECT * FROM empty | SELECT :a, :b (echo) | SELECT current_user |
/// CREATE ... (DDL) | INSERT ... (counts) | SLEEP ms | FAIL ... | FAIL AFTER n ROWS.
/// </summary>
public sealed partial class StubSqlEngine : ISqlEngine, IDisposable
{
    private readonly string _volumesRoot;
    private int _inserts;

    public StubSqlEngine()
    {
        _volumesRoot = Path.Combine(Path.GetTempPath(), "dbxsync-stub-volumes-" + Guid.NewGuid().ToString("N"));
        foreach (var volume in Volumes)
            Directory.CreateDirectory(GetVolumeDirectory(volume.Catalog, volume.Schema, volume.Name));
    }

    public ConcurrentQueue<string> Executed { get; } = new();
    public ConcurrentBag<int> RowThreadIds { get; } = new();
    public int Inserts => Volatile.Read(ref _inserts);
    public EngineContext? LastContext { get; private set; }
    public int ManyTableCount => 25;

    public static readonly IReadOnlyList<EngineColumn> RangeColumns =
        [new("id", "BIGINT", "LONG"), new("label", "STRING", "STRING"), new("score", "DECIMAL(10,2)", "DECIMAL")];

    public EngineResult Execute(string sql, IReadOnlyList<EngineParameter> parameters, EngineContext context, CancellationToken cancellationToken)
    {
        Executed.Enqueue(sql);
        LastContext = context;
        var text = sql.Trim();

        if (text == "SELECT 1")
            return new EngineResult { Columns = [new("1", "INT", "INT")], Rows = [["1"]] };
        if (RangePattern().Match(text) is { Success: true } range)
            return new EngineResult { Columns = RangeColumns, Rows = RangeRows(long.Parse(range.Groups[1].Value), cancellationToken) };
        if (text == "SELECT * FROM empty")
            return new EngineResult { Columns = RangeColumns, Rows = [] };
        if (text == "SELECT current_user")
            return new EngineResult { Columns = [new("current_user()", "STRING", "STRING")], Rows = [[context.UserName]] };
        if (text.StartsWith("SELECT :", StringComparison.Ordinal))
            return new EngineResult
            {
                Columns = parameters.Select(p => new EngineColumn(p.Name, p.Type, p.Type)).ToList(),
                Rows = [parameters.Select(p => p.Value).ToArray()],
            };
        if (text.StartsWith("CREATE", StringComparison.OrdinalIgnoreCase))
            return EngineResult.Empty;
        if (text.StartsWith("INSERT", StringComparison.OrdinalIgnoreCase))
        {
            Interlocked.Increment(ref _inserts);
            return new EngineResult
            {
                Columns = [new("num_affected_rows", "BIGINT", "LONG"), new("num_inserted_rows", "BIGINT", "LONG")],
                Rows = [["1", "1"]],
            };
        }
        if (SleepPattern().Match(text) is { Success: true } sleep)
        {
            if (cancellationToken.WaitHandle.WaitOne(int.Parse(sleep.Groups[1].Value)))
                cancellationToken.ThrowIfCancellationRequested();
            return new EngineResult { Columns = [new("slept", "BOOLEAN", "BOOLEAN")], Rows = [["true"]] };
        }
        if (FailAfterPattern().Match(text) is { Success: true } failAfter)
            return new EngineResult { Columns = RangeColumns, Rows = FailingRows(int.Parse(failAfter.Groups[1].Value)) };

        var firstWord = text.Split(' ', 2)[0];
        throw new EngineException("PARSE_SYNTAX_ERROR", "42601", $"Syntax error at or near '{firstWord}'.");
    }

    private IEnumerable<string?[]> RangeRows(long count, CancellationToken cancellationToken)
    {
        for (long i = 0; i < count; i++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            RowThreadIds.Add(Environment.CurrentManagedThreadId);
            yield return [i.ToString(), i % 7 == 3 ? null : $"label \"{i}\" ü", $"{i}.50"];
        }
    }

    private static IEnumerable<string?[]> FailingRows(int after)
    {
        for (var i = 0; i < after; i++)
            yield return [i.ToString(), "x", "1.00"];
        throw new EngineException("DIVIDE_BY_ZERO", "22012", "Division by zero.", "BAD_REQUEST");
    }

    private static readonly long Created = 1_700_000_000_000;

    public IReadOnlyList<CatalogEntry> ListCatalogs() =>
        [new("main", "Main catalog", Created), new("sales", null, Created), new("system", "System catalog", Created)];

    public IReadOnlyList<SchemaEntry> ListSchemas(string catalog) => catalog switch
    {
        "main" => [new("main", "default", null, Created), new("main", "sync", "DbxSync tables", Created), new("main", "many", null, Created)],
        "sales" => [new("sales", "raw", null, Created)],
        _ => [],
    };

    public IReadOnlyList<TableEntry> ListTables(string catalog, string schema) => (catalog, schema) switch
    {
        ("main", "sync") =>
        [
            Table("main", "sync", "labels", new Dictionary<string, string> { ["delta.enableChangeDataFeed"] = "true" }),
            Table("main", "sync", "items", new Dictionary<string, string>()),
        ],
        ("main", "many") => Enumerable.Range(0, ManyTableCount).Select(i => Table("main", "many", $"t{i:000}", new Dictionary<string, string>())).ToList(),
        _ => [],
    };

    public TableEntry? GetTable(string catalog, string schema, string table) =>
        ListTables(catalog, schema).FirstOrDefault(t => t.Name == table);

    private static TableEntry Table(string catalog, string schema, string name, IReadOnlyDictionary<string, string> properties) =>
        new(catalog, schema, name,
            [new("id", "BIGINT", "LONG", 0, false), new("label", "STRING", "STRING", 1, true), new("score", "DECIMAL(10,2)", "DECIMAL", 2, true)],
            properties, 3, Created, Created + 5000, Guid.NewGuid().ToString());

    private static readonly IReadOnlyList<VolumeEntryInfo> Volumes =
        [new("main", "sync", "staging", "9b0f3c2e-0000-4000-8000-000000000001", Created), new("main", "sync", "exports", "9b0f3c2e-0000-4000-8000-000000000002", Created)];

    public IReadOnlyList<VolumeEntryInfo> ListVolumes(string catalog, string schema) =>
        Volumes.Where(v => v.Catalog == catalog && v.Schema == schema).ToList();

    public VolumeEntryInfo? GetVolume(string catalog, string schema, string volume) =>
        Volumes.FirstOrDefault(v => v.Catalog == catalog && v.Schema == schema && v.Name == volume);

    public string GetVolumeDirectory(string catalog, string schema, string volume) =>
        Path.Combine(_volumesRoot, catalog, schema, volume);

    public void Dispose()
    {
        try
        {
            Directory.Delete(_volumesRoot, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    [GeneratedRegex(@"^SELECT \* FROM range\((\d+)\)$")]
    private static partial Regex RangePattern();

    [GeneratedRegex(@"^SLEEP (\d+)$")]
    private static partial Regex SleepPattern();

    [GeneratedRegex(@"^FAIL AFTER (\d+) ROWS$")]
    private static partial Regex FailAfterPattern();
}
