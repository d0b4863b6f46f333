using DbxSync.Core.Errors;
using DbxSync.Core.Ports;
using DbxSync.Core.Sql;

namespace DbxSync.Core.Syncs.Datasets;

/// <summary>One documented column of a dataset table (README "Datasets").</summary>
public sealed record DatasetColumn(string Name, string Type, bool NotNull = false);

/// <summary>
/// The two dataset tables, after Clarifai's Databricks module but typed: an inputs table (what went to the labeling
/// platform, keyed by input_id) and an annotations table (what came back, keyed by annotation_id). Both are created
/// when missing; one that exists must have every documented column with its type (extra columns are the user's).
/// Times are TIMESTAMP, never formatted text, so "later" is a real comparison across months and years.
/// </summary>
public static class DatasetTables
{
    public static readonly IReadOnlyList<DatasetColumn> Inputs =
    [
        new("input_id", "STRING", NotNull: true),
        new("volume_path", "STRING"),
        new("blob_name", "STRING"),
        new("size_bytes", "BIGINT"),
        new("sha256", "STRING"),
        new("content_type", "STRING"),
        new("source_modified_at", "TIMESTAMP"),
        new("exported_at", "TIMESTAMP"),
        // The newest modified_at of the annotations imported for the input: the guard of the inputs MERGE.
        new("modified_at", "TIMESTAMP"),
        new("deleted", "BOOLEAN"),
    ];

    public static readonly IReadOnlyList<DatasetColumn> Annotations =
    [
        new("annotation_id", "STRING", NotNull: true),
        new("input_id", "STRING", NotNull: true),
        new("user_id", "STRING"),
        new("concepts", "ARRAY<STRING>"),
        // JSON text: {"bounding_box": {...}} or {"polygon": {"points": [...]}}; NULL for whole-input labels.
        new("region", "STRING"),
        new("metadata", "STRING"),
        new("created_at", "TIMESTAMP"),
        new("modified_at", "TIMESTAMP", NotNull: true),
        new("deleted", "BOOLEAN", NotNull: true),
        new("imported_at", "TIMESTAMP"),
    ];

    /// <summary>CREATE TABLE IF NOT EXISTS with the documented columns (a Delta table: the Databricks default format).</summary>
    public static string CreateIfMissing(TableName table, IReadOnlyList<DatasetColumn> columns)
    {
        var definitions = columns.Select(c => $"{SqlIdentifier.Quote(c.Name, "column")} {c.Type}{(c.NotNull ? " NOT NULL" : "")}");
        return $"""
            CREATE TABLE IF NOT EXISTS {table.Quoted} (
              {string.Join(",\n  ", definitions)}
            )
            """;
    }

    /// <summary>Creates the table when missing, then checks that it has the documented columns.</summary>
    public static async Task EnsureAsync(IDatabricksWorkspace workspace, TableName table, IReadOnlyList<DatasetColumn> columns, string field, StatementOptions write, CancellationToken cancellationToken)
    {
        if (await workspace.GetTableAsync(table.FullName, cancellationToken) is null)
            await workspace.ExecuteAsync(CreateIfMissing(table, columns), null, write, cancellationToken);
        await RequireCompatibleAsync(workspace, table, columns, field, cancellationToken);
    }

    /// <summary>A table that exists must have every documented column with its type; a missing table passes (it is created).</summary>
    public static async Task RequireCompatibleAsync(IDatabricksWorkspace workspace, TableName table, IReadOnlyList<DatasetColumn> columns, string field, CancellationToken cancellationToken)
    {
        var existing = await workspace.GetTableAsync(table.FullName, cancellationToken);
        if (existing is null) return;
        var have = existing.Columns.ToDictionary(c => c.Name, c => Normalize(c.TypeText), StringComparer.OrdinalIgnoreCase);
        var wrong = columns.Where(c => !have.TryGetValue(c.Name, out var type) || type != Normalize(c.Type)).ToList();
        if (wrong.Count > 0)
            throw new ValidationException(
                $"Table '{table}' exists but lacks the documented column(s) {string.Join(", ", wrong.Select(c => $"{c.Name} {c.Type}"))}; " +
                "name a new table (it is created) or one with the schema in the README's Datasets section.", field, "column-not-found");
    }

    private static string Normalize(string type) => type.Replace(" ", "", StringComparison.Ordinal).ToUpperInvariant();
}
