using System.Globalization;
using System.Text.Json;
using Microsoft.Data.Sqlite;

namespace DbxSync.Emulator.Sql;

/// <summary>
/// DESCRIBE DETAIL: one row of table metadata with the columns and types Databricks documents
/// (https://docs.databricks.com/en/delta/table-details.html). The id is the table's uuid, which a table dropped and
/// recreated under the same name does not keep.
/// </summary>
public static class DeltaDetail
{
    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    public static readonly IReadOnlyList<EngineColumn> Columns =
    [
        new("format", "STRING", "STRING"),
        new("id", "STRING", "STRING"),
        new("name", "STRING", "STRING"),
        new("description", "STRING", "STRING"),
        new("location", "STRING", "STRING"),
        new("createdAt", "TIMESTAMP", "TIMESTAMP"),
        new("lastModified", "TIMESTAMP", "TIMESTAMP"),
        new("partitionColumns", "ARRAY<STRING>", "ARRAY"),
        new("clusteringColumns", "ARRAY<STRING>", "ARRAY"),
        new("numFiles", "BIGINT", "LONG"),
        new("sizeInBytes", "BIGINT", "LONG"),
        new("properties", "MAP<STRING, STRING>", "MAP"),
        new("minReaderVersion", "INT", "INT"),
        new("minWriterVersion", "INT", "INT"),
        new("tableFeatures", "ARRAY<STRING>", "ARRAY"),
    ];

    public static List<string?[]> Describe(SqliteConnection connection, TableMeta table)
    {
        long liveRows;
        using (var command = connection.CreateCommand())
        {
            command.CommandText = $"SELECT COUNT(*) FROM {table.StorageTable} WHERE _to_v IS NULL";
            liveRows = (long)command.ExecuteScalar()!;
        }
        // Protocol versions and features as a table with these properties gets them: change data feed needs writer
        // version 4, column mapping reader 2 / writer 5 (https://docs.databricks.com/en/delta/feature-compatibility.html).
        var columnMapping = table.ColumnMappingEnabled;
        var features = new List<string> { "appendOnly", "invariants" };
        if (table.ChangeDataFeedEnabled || columnMapping) features.AddRange(["checkConstraints", "changeDataFeed", "generatedColumns"]);
        if (columnMapping) features.Add("columnMapping");
        var description = table.Properties.TryGetValue("comment", out var comment) ? comment : null;
        return
        [
            [
                "delta",
                table.Uuid,
                table.FullName,
                description,
                $"dbfs:/emulator/tables/{table.Uuid}",
                Timestamp(table.CreatedAtMs),
                Timestamp(table.UpdatedAtMs),
                "[]",
                "[]",
                (liveRows > 0 ? 1 : 0).ToString(Invariant),
                (liveRows * 16L * table.Columns.Count).ToString(Invariant),
                JsonSerializer.Serialize(new SortedDictionary<string, string>(table.Properties.ToDictionary(p => p.Key, p => p.Value), StringComparer.Ordinal)),
                columnMapping ? "2" : "1",
                columnMapping ? "5" : table.ChangeDataFeedEnabled ? "4" : "2",
                JsonSerializer.Serialize(features),
            ],
        ];
    }

    private static string Timestamp(long ms) =>
        SqlValueConverter.FormatCell(SqlValueConverter.TimestampToStorage(DateTimeOffset.FromUnixTimeMilliseconds(ms)), SqlType.Timestamp)!;
}
