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

    public static string History(TableName table, long limit) => $"DESCRIBE HISTORY {table.Quoted} LIMIT {limit.ToString(CultureInfo.InvariantCulture)}";

    /// <summary>Unlabeled rows as of a version: the first run's snapshot, and the fallback when history is gone.</summary>
    public static string Snapshot(TableName table, string pkColumn, string labelColumn, long version)
        => $"SELECT * FROM {table.Quoted} VERSION AS OF {V(version)} WHERE {SqlIdentifier.Quote(labelColumn)} IS NULL ORDER BY {SqlIdentifier.Quote(pkColumn)}";

    /// <summary>
    /// Change feed rows of (from..to], newest image last per key. Pre-images are dropped here; the label filter
    /// is applied to each key's final image by the caller, because a row labeled later in the range must not go out.
    /// </summary>
    public static string ChangeFeed(TableName table, string pkColumn, long fromVersion, long toVersion)
        // table_changes takes the name as a string literal; the backticked parts hold only validated characters.
        => $"SELECT * FROM table_changes('{table.Quoted}', {V(fromVersion)}, {V(toVersion)}) WHERE {ChangeType} <> 'update_preimage' ORDER BY {SqlIdentifier.Quote(pkColumn)}, {CommitVersion}";

    /// <summary>Without a change feed: unlabeled rows now that were not unlabeled-and-identical before.</summary>
    public static string VersionDifference(TableName table, string labelColumn, long previousVersion, long toVersion)
    {
        var label = SqlIdentifier.Quote(labelColumn);
        return $"SELECT * FROM {table.Quoted} VERSION AS OF {V(toVersion)} WHERE {label} IS NULL " +
               $"EXCEPT SELECT * FROM {table.Quoted} VERSION AS OF {V(previousVersion)} WHERE {label} IS NULL";
    }

    private static string V(long version) => version >= 0
        ? version.ToString(CultureInfo.InvariantCulture)
        : throw new ArgumentOutOfRangeException(nameof(version));

    /// <summary>Operations that commit a version without changing rows: nothing to export.</summary>
    public static readonly IReadOnlySet<string> NoDataOperations = new HashSet<string>(StringComparer.OrdinalIgnoreCase)
    {
        "OPTIMIZE", "VACUUM START", "VACUUM END", "SET TBLPROPERTIES", "UNSET TBLPROPERTIES", "UPGRADE PROTOCOL",
        "ADD CONSTRAINT", "DROP CONSTRAINT", "SET COLUMN COMMENT", "CHANGE COLUMN", "COMPUTE STATS", "ANALYZE",
    };

    /// <summary>Error classes after which the change feed cannot serve the range: use the version difference.</summary>
    public static readonly IReadOnlySet<string> ChangeFeedUnavailable = new HashSet<string>(StringComparer.Ordinal)
    {
        "DELTA_MISSING_CHANGE_DATA", "DELTA_CHANGE_DATA_FEED_INCOMPATIBLE_SCHEMA_CHANGE", "DELTA_CHANGE_DATA_FEED_INCOMPATIBLE_DATA_SCHEMA",
        "DELTA_UNSUPPORTED_TIME_TRAVEL_BEYOND_DELETED_FILE_RETENTION_DURATION", "DELTA_VERSION_NOT_FOUND", "DELTA_TRUNCATED_TRANSACTION_LOG",
        "DELTA_CDC_NOT_ALLOWED_IN_THIS_VERSION", "DELTA_CHANGE_TABLE_FEED_DISABLED",
    };

    /// <summary>Error classes meaning the checkpoint version is no longer readable: fall back to a snapshot.</summary>
    public static readonly IReadOnlySet<string> HistoryGone = new HashSet<string>(StringComparer.Ordinal)
    {
        "DELTA_VERSION_NOT_FOUND", "DELTA_TRUNCATED_TRANSACTION_LOG", "DELTA_UNSUPPORTED_TIME_TRAVEL_BEYOND_DELETED_FILE_RETENTION_DURATION",
        "DELTA_FILE_NOT_FOUND_DETAILED", "FILE_NOT_FOUND",
    };
}
