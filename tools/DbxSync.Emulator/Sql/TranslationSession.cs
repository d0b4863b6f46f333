using Microsoft.Data.Sqlite;

namespace DbxSync.Emulator.Sql;

/// <summary>A column visible to expressions: its Spark name and type and the SQLite expression that reads it.</summary>
public sealed record BoundColumn(string Name, SqlType Type, string Sql, string? Qualifier);

/// <summary>A FROM item rendered for SQLite. Filter holds the Delta version predicate for table scans.</summary>
public sealed record BoundRelation(string FromSql, string? Filter, IReadOnlyList<BoundColumn> Columns, string? MaterializedTable = null);

/// <summary>Constant marks literals and parameters, whose casts are folded once at translation instead of per row.</summary>
public sealed record TranslatedExpr(string Sql, SqlType Type, bool Constant = false);

/// <summary>A translated query whose select list is aliased o0..oN in Columns order.</summary>
public sealed record TranslatedQuery(string Sql, IReadOnlyList<(string Name, SqlType Type)> Columns);

/// <summary>Columns that name resolution can see, possibly from several relations (MERGE target and source).</summary>
public sealed class Scope(IReadOnlyList<BoundColumn> columns)
{
    public IReadOnlyList<BoundColumn> Columns { get; } = columns;
    public static Scope Empty { get; } = new([]);

    public BoundColumn Resolve(string? qualifier, string name)
    {
        BoundColumn? found = null;
        foreach (var column in Columns)
        {
            if (!string.Equals(column.Name, name, StringComparison.OrdinalIgnoreCase)) continue;
            if (qualifier != null && !string.Equals(column.Qualifier, qualifier, StringComparison.OrdinalIgnoreCase)) continue;
            if (found != null) throw EngineErrors.AmbiguousColumn(name);
            found = column;
        }
        return found ?? throw EngineErrors.UnresolvedColumn(qualifier == null ? name : qualifier + "." + name,
            Columns.Select(c => c.Qualifier == null ? c.Name : c.Qualifier + "." + c.Name));
    }
}

/// <summary>
/// Per-statement translation state: the connection the SQL will run on (read_files loads its temp table there),
/// bound parameter values, alias numbering and temp tables to drop afterwards.
/// </summary>
public sealed class TranslationSession(
    SqliteConnection connection, CatalogStore catalog, EngineContext context,
    IReadOnlyList<EngineParameter> parameters, Func<string, string> resolveVolumePath, CancellationToken cancellationToken)
{
    private readonly Dictionary<string, EngineParameter> _parameters =
        parameters.GroupBy(p => p.Name, StringComparer.OrdinalIgnoreCase).ToDictionary(g => g.Key, g => g.Last(), StringComparer.OrdinalIgnoreCase);
    private readonly Dictionary<string, object?> _boundValues = new(StringComparer.Ordinal);
    private int _aliasCounter;

    public SqliteConnection Connection { get; } = connection;
    public CatalogStore Catalog { get; } = catalog;
    public EngineContext Context { get; } = context;
    public CancellationToken CancellationToken { get; } = cancellationToken;
    public Func<string, string> ResolveVolumePath { get; } = resolveVolumePath;
    public List<string> TemporaryTables { get; } = [];
    public string NowStorage { get; } = SqlValueConverter.TimestampToStorage(DateTimeOffset.UtcNow);

    public string NextAlias(string prefix) => prefix + _aliasCounter++;

    /// <summary>The open write transaction; Microsoft.Data.Sqlite requires commands to name it explicitly.</summary>
    public SqliteTransaction? Transaction { get; set; }

    /// <summary>Set by the engine once the translator exists; read_files needs it to evaluate its option arguments.</summary>
    public ExpressionTranslator Expressions { get; set; } = null!;

    public EngineParameter GetParameter(string name) =>
        _parameters.TryGetValue(name, out var parameter) ? parameter : throw EngineErrors.UnboundParameter(name);

    /// <summary>Binds a value as a SQLite parameter and returns its placeholder.</summary>
    public string BindValue(object? value)
    {
        var name = "$v" + _boundValues.Count;
        _boundValues[name] = value;
        return name;
    }

    public SqliteCommand CreateCommand(string sql)
    {
        var command = Connection.CreateCommand();
        command.CommandText = sql;
        command.Transaction = Transaction;
        foreach (var (name, value) in _boundValues)
            if (sql.Contains(name, StringComparison.Ordinal)) command.Parameters.AddWithValue(name, SqlValueConverter.ToDbValue(value));
        return command;
    }

    public int ExecuteNonQuery(string sql)
    {
        using var phase = EnginePhaseTrace.Start(EnginePhaseTrace.Sink == null ? "" : "sql: " + (sql.Length > 140 && Environment.GetEnvironmentVariable("DBXSYNC_EMULATOR_TRACE_FULL_SQL") == null ? sql[..140] + "..." : sql));
        using var command = CreateCommand(sql);
        return command.ExecuteNonQuery();
    }

    public object? ExecuteScalar(string sql)
    {
        using var phase = EnginePhaseTrace.Start(EnginePhaseTrace.Sink == null ? "" : "sql: " + (sql.Length > 140 && Environment.GetEnvironmentVariable("DBXSYNC_EMULATOR_TRACE_FULL_SQL") == null ? sql[..140] + "..." : sql));
        using var command = CreateCommand(sql);
        var value = command.ExecuteScalar();
        return value is DBNull ? null : value;
    }

    public void DropTemporaryTables()
    {
        foreach (var table in TemporaryTables)
        {
            using var command = Connection.CreateCommand();
            command.CommandText = $"DROP TABLE IF EXISTS {table}";
            command.Transaction = Transaction;
            command.ExecuteNonQuery();
        }
        TemporaryTables.Clear();
    }
}
