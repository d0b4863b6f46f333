using System.Globalization;
using DbxSync.Core.Sql;

namespace DbxSync.Core.Syncs.TableExport;

/// <summary>The SQL a table export sends. Names are validated and quoted; versions are integers we computed.</summary>
public static class ExportQueries
{
    public const string ChangeType = "_change_type";
    public const string CommitVersion = "_commit_version";
    public const string CommitTimestamp = "_commit_timestamp";

    public static string LatestHistory(TableName table) => $"DESCRIBE HISTORY {table.Quoted} LIMIT 1";

    /// <summary>The table's id, which changes when it is dropped and recreated under the same name.</summary>
    public static string Detail(TableName table) => $"DESCRIBE DETAIL {table.Quoted}";

    public static string History(TableName table, long limit) => $"DESCRIBE HISTORY {table.Quoted} LIMIT {limit.ToString(CultureInfo.InvariantCulture)}";

    /// <summary>No rows, only the result's columns: the table's schema as of a version (time travel gives that version's schema).</summary>
    public static string Columns(TableName table, long version) => $"SELECT * FROM {table.Quoted} VERSION AS OF {V(version)} LIMIT 0";

    /// <summary>Unlabeled rows as of a version: the first run's snapshot, and the fallback when history is gone.</summary>
    public static string Snapshot(TableName table, ExportColumns columns, long version)
        => $"SELECT {columns.SelectList} FROM {table.Quoted} VERSION AS OF {V(version)} WHERE {columns.Label} IS NULL ORDER BY {columns.Pk}";

    /// <summary>
    /// Change feed rows of [from..to], reduced in SQL to each key's newest image; the label filter applies to that
    /// image only, because a row labeled later in the range must not go out.
    /// </summary>
    public static string ChangeFeed(TableName table, ExportColumns columns, long fromVersion, long toVersion)
        // table_changes takes the name as a string literal; the backticked parts hold only validated characters.
        => $"SELECT {columns.SelectList} FROM (SELECT * FROM table_changes('{table.Quoted}', {V(fromVersion)}, {V(toVersion)}) WHERE {ChangeType} <> 'update_preimage' " +
           $"QUALIFY ROW_NUMBER() OVER (PARTITION BY {columns.Pk} ORDER BY {CommitVersion} DESC, {DeleteLast}) = 1) AS newest " +
           $"WHERE {ChangeType} <> 'delete' AND {columns.Label} IS NULL ORDER BY {columns.Pk}";

    /// <summary>
    /// Within one version a key can have a delete and an insert (INSERT OVERWRITE, replaceWhere and RESTORE rewrite
    /// whole files): the insert or postimage is the live row, so it ranks before the delete.
    /// </summary>
    private const string DeleteLast = $"CASE WHEN {ChangeType} = 'delete' THEN 1 ELSE 0 END";

    /// <summary>
    /// Without a change feed: unlabeled rows now whose (key, row marker) was not an unlabeled row before (same schema
    /// at both versions). It compares the key and the marker, never every column: set operations (EXCEPT) and
    /// equality are not supported on MAP and VARIANT columns, and the marker already stands for the row's content.
    /// </summary>
    public static string VersionDifference(TableName table, ExportColumns columns, long previousVersion, long toVersion)
    {
        var marker = SqlIdentifier.Quote(RowMarker.Column);
        return $"""
            SELECT {string.Join(", ", columns.Columns.Select(c => "cur." + SqlIdentifier.Quote(c.Name, "column")))}, cur.{marker}
            FROM (SELECT {columns.SelectList} FROM {table.Quoted} VERSION AS OF {V(toVersion)} WHERE {columns.Label} IS NULL) AS cur
            LEFT JOIN (SELECT {columns.Pk} AS {Key}, {columns.Marker} AS {marker} FROM {table.Quoted} VERSION AS OF {V(previousVersion)} WHERE {columns.Label} IS NULL) AS prev
            ON cur.{columns.Pk} = prev.{Key} AND cur.{marker} = prev.{marker}
            WHERE prev.{Key} IS NULL
            ORDER BY cur.{columns.Pk}
            """;
    }

    /// <summary>
    /// Unlabeled rows as of a version among the keys bound as :k0..:k{count-1} (text, compared with the key cast to
    /// text, which is how the import reported them).
    /// </summary>
    public static Func<int, string> Keys(TableName table, ExportColumns columns, long version) => count => $"""
        SELECT {columns.SelectList} FROM {table.Quoted} VERSION AS OF {V(version)}
        WHERE {columns.Label} IS NULL AND CAST({columns.Pk} AS STRING) IN ({string.Join(", ", Enumerable.Range(0, count).Select(i => string.Create(CultureInfo.InvariantCulture, $":k{i}")))})
        ORDER BY {columns.Pk}
        """;

    /// <summary>The key's alias in the earlier version's (key, marker) list.</summary>
    private const string Key = "`_dbxsync_key`";

    private static string V(long version) => version >= 0
        ? version.ToString(CultureInfo.InvariantCulture)
        : throw new ArgumentOutOfRangeException(nameof(version));

    /// <summary>ALTER COLUMN's history operation: no data change only when the schema comparison says the types stayed.</summary>
    public const string ChangeColumn = "CHANGE COLUMN";

    /// <summary>Operations that commit a version without changing rows: nothing to export (CHANGE COLUMN: see <see cref="ChangeColumn"/>).</summary>
    public static readonly IReadOnlySet<string> NoDataOperations = new HashSet<string>(StringComparer.OrdinalIgnoreCase)
    {
        "OPTIMIZE", "VACUUM START", "VACUUM END", "SET TBLPROPERTIES", "UNSET TBLPROPERTIES", "UPGRADE PROTOCOL",
        "ADD CONSTRAINT", "DROP CONSTRAINT", "SET COLUMN COMMENT", ChangeColumn, "COMPUTE STATS", "ANALYZE",
    };

    /// <summary>
    /// A file the log names is gone (VACUUM, or removed by hand): Databricks "Error classes" FAILED_READ_FILE (KD001)
    /// and its FILE_NOT_EXIST / DBR_FILE_NOT_EXIST subclasses, DELTA_FILE_NOT_FOUND_DETAILED (42K03), and for the
    /// change feed DELTA_CHANGE_DATA_FILE_NOT_FOUND (Delta "Change data feed": change files are removed by VACUUM
    /// like data files once they leave the table's retention). Declared first: the sets below are built from it.
    /// </summary>
    private static readonly string[] VacuumedFiles =
    [
        "DELTA_CHANGE_DATA_FILE_NOT_FOUND", "DELTA_FILE_NOT_FOUND_DETAILED", "DELTA_FILE_NOT_FOUND", "FILE_NOT_FOUND",
        "FAILED_READ_FILE", "FAILED_READ_FILE.FILE_NOT_EXIST", "FAILED_READ_FILE.DBR_FILE_NOT_EXIST", "FAILED_READ_FILE.NO_HINT",
    ];

    /// <summary>Error classes after which the change feed cannot serve the range: use the version difference.</summary>
    public static readonly IReadOnlySet<string> ChangeFeedUnavailable = new HashSet<string>(
    [
        "DELTA_MISSING_CHANGE_DATA", "DELTA_CHANGE_DATA_FEED_INCOMPATIBLE_SCHEMA_CHANGE", "DELTA_CHANGE_DATA_FEED_INCOMPATIBLE_DATA_SCHEMA",
        "DELTA_UNSUPPORTED_TIME_TRAVEL_BEYOND_DELETED_FILE_RETENTION_DURATION", "DELTA_VERSION_NOT_FOUND", "DELTA_TRUNCATED_TRANSACTION_LOG",
        "DELTA_CDC_NOT_ALLOWED_IN_THIS_VERSION", "DELTA_CHANGE_TABLE_FEED_DISABLED", .. VacuumedFiles,
    ], StringComparer.Ordinal);

    /// <summary>Error classes meaning the checkpoint version is no longer readable: fall back to a snapshot.</summary>
    public static readonly IReadOnlySet<string> HistoryGone = new HashSet<string>(
    [
        "DELTA_VERSION_NOT_FOUND", "DELTA_TRUNCATED_TRANSACTION_LOG", "DELTA_UNSUPPORTED_TIME_TRAVEL_BEYOND_DELETED_FILE_RETENTION_DURATION",
        .. VacuumedFiles,
    ], StringComparer.Ordinal);
}
