using System.Globalization;
using System.Text.Json;
using Microsoft.Data.Sqlite;

namespace DbxSync.Emulator.Sql;

/// <summary>Delta commit log per table: records each version's commitInfo and renders DESCRIBE HISTORY like OSS Delta.</summary>
public static class DeltaHistory
{
    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;
    public const string EngineInfo = "Databricks-Runtime/15.4.x-dbxsync-emulator";

    public static readonly IReadOnlyList<EngineColumn> Columns =
    [
        new("version", "BIGINT", "LONG"),
        new("timestamp", "TIMESTAMP", "TIMESTAMP"),
        new("userId", "STRING", "STRING"),
        new("userName", "STRING", "STRING"),
        new("operation", "STRING", "STRING"),
        new("operationParameters", "MAP<STRING, STRING>", "MAP"),
        new("job", "STRUCT<jobId: STRING, jobName: STRING, jobRunId: STRING, runId: STRING, jobOwnerId: STRING, triggerType: STRING>", "STRUCT"),
        new("notebook", "STRUCT<notebookId: STRING>", "STRUCT"),
        new("clusterId", "STRING", "STRING"),
        new("readVersion", "BIGINT", "LONG"),
        new("isolationLevel", "STRING", "STRING"),
        new("isBlindAppend", "BOOLEAN", "BOOLEAN"),
        new("operationMetrics", "MAP<STRING, STRING>", "MAP"),
        new("userMetadata", "STRING", "STRING"),
        new("engineInfo", "STRING", "STRING"),
    ];

    /// <summary>Writes the commit for <paramref name="version"/> and moves the table's current version; returns the new metadata.</summary>
    public static TableMeta Commit(
        TranslationSession session, TableMeta table, long version, string operation,
        IReadOnlyDictionary<string, string?> parameters, IReadOnlyDictionary<string, long> metrics,
        bool isBlindAppend, IReadOnlyDictionary<string, string>? newProperties = null)
    {
        var properties = newProperties ?? table.Properties;
        var updated = table with { CurrentVersion = version, Properties = properties };
        // Delta commit timestamps strictly increase; two fast commits must not share a millisecond.
        var lastMs = session.ExecuteScalar($"SELECT MAX(timestamp_ms) FROM meta_history WHERE table_id = {table.Id}") is long last ? last : 0;
        var nowMs = Math.Max(DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(), lastMs + 1);
        updated = updated with { UpdatedAtMs = nowMs };

        using (var command = session.CreateCommand("""
            INSERT INTO meta_history(table_id, version, timestamp, timestamp_ms, user_name, operation, parameters_json, metrics_json, read_version, is_blind_append, cdf_enabled)
            VALUES ($id, $version, $timestamp, $ms, $user, $operation, $parameters, $metrics, $readVersion, $blind, $cdf)
            """))
        {
            command.Parameters.AddWithValue("$id", table.Id);
            command.Parameters.AddWithValue("$version", version);
            command.Parameters.AddWithValue("$timestamp", SqlValueConverter.TimestampToStorage(DateTimeOffset.FromUnixTimeMilliseconds(nowMs)));
            command.Parameters.AddWithValue("$ms", nowMs);
            command.Parameters.AddWithValue("$user", session.Context.UserName);
            command.Parameters.AddWithValue("$operation", operation);
            command.Parameters.AddWithValue("$parameters", JsonSerializer.Serialize(parameters));
            command.Parameters.AddWithValue("$metrics", JsonSerializer.Serialize(metrics.ToDictionary(m => m.Key, m => m.Value.ToString(Invariant))));
            command.Parameters.AddWithValue("$readVersion", version == 0 ? DBNull.Value : version - 1);
            command.Parameters.AddWithValue("$blind", isBlindAppend ? 1 : 0);
            command.Parameters.AddWithValue("$cdf", updated.ChangeDataFeedEnabled ? 1 : 0);
            command.ExecuteNonQuery();
        }
        using (var command = session.CreateCommand(
            "UPDATE meta_tables SET current_version = $version, updated_ms = $ms, properties_json = $properties WHERE table_id = $id"))
        {
            command.Parameters.AddWithValue("$version", version);
            command.Parameters.AddWithValue("$ms", nowMs);
            command.Parameters.AddWithValue("$properties", CatalogStore.SerializeProperties(properties));
            command.Parameters.AddWithValue("$id", table.Id);
            command.ExecuteNonQuery();
        }
        return updated;
    }

    /// <summary>A stable numeric user id per user name, since SQL warehouses report numeric ids.</summary>
    public static string UserIdFor(string? userName)
    {
        if (userName == null) return "0";
        ulong hash = 1469598103934665603;
        foreach (var c in userName) hash = (hash ^ c) * 1099511628211;
        return (hash % 9_000_000_000_000_000UL + 1_000_000_000_000_000UL).ToString(Invariant);
    }

    public static List<string?[]> Describe(SqliteConnection connection, TableMeta table, long? limit)
    {
        using var command = connection.CreateCommand();
        command.CommandText = """
            SELECT version, timestamp, user_name, operation, parameters_json, read_version, is_blind_append, metrics_json
            FROM meta_history WHERE table_id = $id ORDER BY version DESC LIMIT $limit
            """;
        command.Parameters.AddWithValue("$id", table.Id);
        command.Parameters.AddWithValue("$limit", limit ?? -1);
        using var reader = command.ExecuteReader();
        var rows = new List<string?[]>();
        while (reader.Read())
        {
            var userName = reader.IsDBNull(2) ? null : reader.GetString(2);
            rows.Add([
                reader.GetInt64(0).ToString(Invariant),
                SqlValueConverter.FormatCell(reader.GetString(1), SqlType.Timestamp),
                UserIdFor(userName),
                userName,
                reader.GetString(3),
                reader.GetString(4),
                null,
                null,
                null,
                reader.IsDBNull(5) ? null : reader.GetInt64(5).ToString(Invariant),
                "WriteSerializable",
                reader.GetInt64(6) != 0 ? "true" : "false",
                reader.GetString(7),
                null,
                EngineInfo,
            ]);
        }
        return rows;
    }
}
