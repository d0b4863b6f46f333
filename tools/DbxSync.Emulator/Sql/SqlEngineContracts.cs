namespace DbxSync.Emulator.Sql;

/// <summary>A result column as the Statement Execution API reports it (type_text e.g. BIGINT, type_name e.g. LONG).</summary>
public sealed record EngineColumn(string Name, string TypeText, string TypeName);

/// <summary>
/// A statement's result. Rows use the JSON_ARRAY encoding: every non-null cell is a string, NULL is null.
/// Rows may be produced lazily (a 1,000,000-row SELECT must not be materialised by the engine).
/// DDL returns no columns and no rows; DML returns one row of counts (num_affected_rows, num_inserted_rows, ...).
/// </summary>
public sealed class EngineResult
{
    public required IReadOnlyList<EngineColumn> Columns { get; init; }
    public required IEnumerable<string?[]> Rows { get; init; }
    public static EngineResult Empty { get; } = new() { Columns = [], Rows = [] };
}

/// <summary>A bound named parameter (:name). Value null = SQL NULL. Type is SQL type text (default STRING).</summary>
public sealed record EngineParameter(string Name, string? Value, string Type = "STRING");

/// <summary>
/// Who runs the statement and where volumes live (for read_files and history userName), and the session time zone
/// (the TIMEZONE parameter; null is the system default, UTC).
/// </summary>
public sealed record EngineContext(string UserName, string? DefaultCatalog = null, string? DefaultSchema = null, string? TimeZone = null);

/// <summary>
/// A SQL failure in Databricks form. Message is rendered by the HTTP layer as
/// "[ERROR_CLASS] message SQLSTATE: xxxxx" with error_code BAD_REQUEST (or the given code).
/// </summary>
public sealed class EngineException(string errorClass, string sqlState, string message, string errorCode = "BAD_REQUEST") : Exception(message)
{
    public string ErrorClass { get; } = errorClass;
    public string SqlState { get; } = sqlState;
    public string ErrorCode { get; } = errorCode;
}

public sealed record CatalogEntry(string Name, string? Comment, long CreatedAtMs);
public sealed record SchemaEntry(string Catalog, string Name, string? Comment, long CreatedAtMs);
public sealed record ColumnEntry(string Name, string TypeText, string TypeName, int Position, bool Nullable);
public sealed record TableEntry(
    string Catalog, string Schema, string Name, IReadOnlyList<ColumnEntry> Columns,
    IReadOnlyDictionary<string, string> Properties, long CurrentVersion, long CreatedAtMs, long UpdatedAtMs, string TableId);
public sealed record VolumeEntryInfo(string Catalog, string Schema, string Name, string VolumeId, long CreatedAtMs);

/// <summary>
/// The emulator's embedded engine: Unity Catalog objects plus Delta-style tables (versions, history,
/// change feed, time travel) on SQLite. Thread-safe: statements may arrive concurrently.
/// </summary>
public interface ISqlEngine
{
    /// <summary>Executes one statement. Throws EngineException for SQL errors. Honour cancellation between rows/batches.</summary>
    EngineResult Execute(string sql, IReadOnlyList<EngineParameter> parameters, EngineContext context, CancellationToken cancellationToken);

    IReadOnlyList<CatalogEntry> ListCatalogs();
    IReadOnlyList<SchemaEntry> ListSchemas(string catalog);
    IReadOnlyList<TableEntry> ListTables(string catalog, string schema);
    TableEntry? GetTable(string catalog, string schema, string table);
    IReadOnlyList<VolumeEntryInfo> ListVolumes(string catalog, string schema);
    VolumeEntryInfo? GetVolume(string catalog, string schema, string volume);

    /// <summary>Directory backing a volume (created with the volume). The Files API serves files from here.</summary>
    string GetVolumeDirectory(string catalog, string schema, string volume);
}
