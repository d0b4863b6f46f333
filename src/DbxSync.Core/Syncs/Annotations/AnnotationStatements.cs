using System.Globalization;
using DbxSync.Core.Ports;
using DbxSync.Core.Sql;

namespace DbxSync.Core.Syncs.Annotations;

/// <summary>
/// The statements of one annotation import. The file's records go into a staging table through INSERTs of one JSON parameter each (StagingTable);
/// then ONE MERGE per target table reads it. The guard is a real TIMESTAMP comparison: an incoming record changes a
/// row only when its modified_at is later than the stored one (equal is a re-delivery and changes nothing). A
/// tombstone (deleted: true) keeps the row, flagged, with its modified_at, so an older edit delivered again cannot
/// bring it back; one for an id never seen is inserted flagged for the same reason. Of several records with the same
/// annotation_id in one file, the newest wins (the later line on a tie).
/// Identifiers are validated and quoted (SqlIdentifier); every value is a statement parameter.
/// </summary>
public sealed class AnnotationStatements(TableName inputs, TableName annotations, TableName staging, int maxStatementBytes = StagingTable.DefaultMaxStatementBytes)
{
    private readonly StagingTable _staged = new(staging,
    [
        new("line_no", "BIGINT"), new("annotation_id", "STRING"), new("input_id", "STRING"), new("user_id", "STRING"),
        new("concepts", "STRING"), new("region", "STRING"), new("metadata", "STRING"),
        new("created_at", "TIMESTAMP"), new("modified_at", "TIMESTAMP"), new("deleted", "BOOLEAN"),
    ], maxStatementBytes);

    public TableName Staging => staging;
    public StagingTable StagingTable => _staged;
    public string CreateStaging() => _staged.Create();
    public string DropStaging() => _staged.Drop();

    /// <summary>One record as the staging table's cells.</summary>
    public static string?[] StagingRow(AnnotationRecord r) =>
    [
        r.Line.ToString(CultureInfo.InvariantCulture), r.AnnotationId, r.InputId, r.UserId, r.ConceptsJson, r.RegionJson, r.MetadataJson,
        r.CreatedAt is { } c ? AnnotationLine.ToSqlTimestamp(c) : null, AnnotationLine.ToSqlTimestamp(r.ModifiedAt), r.Deleted ? "true" : "false",
    ];

    /// <summary>Records staged, and distinct annotation ids among them (the difference is the duplicates dropped).</summary>
    public string Counts() => $"SELECT COUNT(*) AS records, COUNT(DISTINCT annotation_id) AS ids FROM {staging.Quoted}";

    /// <summary>The newest record of each annotation id, concepts read from the staged JSON text into ARRAY&lt;STRING&gt;.</summary>
    // from_json with a DDL schema string: https://docs.databricks.com/en/sql/language-manual/functions/from_json.html
    // QUALIFY: https://docs.databricks.com/en/sql/language-manual/sql-ref-syntax-qry-select-qualify.html
    private string Source => $"""
        SELECT annotation_id, input_id, user_id, from_json(concepts, 'ARRAY<STRING>') AS concepts, region, metadata,
               created_at, modified_at, deleted
        FROM {staging.Quoted}
        QUALIFY ROW_NUMBER() OVER (PARTITION BY annotation_id ORDER BY modified_at DESC, line_no DESC) = 1
        """;

    /// <summary>
    /// What the MERGE is about to do, read just before it (the config's lease keeps its own runs apart): records not
    /// newer than the stored row (older, or equal = re-delivered) and tombstones that will apply.
    /// </summary>
    public string Classify() => $"""
        SELECT
          COALESCE(SUM(CASE WHEN t.annotation_id IS NOT NULL AND s.modified_at < t.modified_at THEN 1 ELSE 0 END), 0) AS older,
          COALESCE(SUM(CASE WHEN t.annotation_id IS NOT NULL AND s.modified_at = t.modified_at THEN 1 ELSE 0 END), 0) AS unchanged,
          COALESCE(SUM(CASE WHEN s.deleted AND (t.annotation_id IS NULL OR s.modified_at > t.modified_at) THEN 1 ELSE 0 END), 0) AS tombstoned
        FROM ({Source}) AS s
        LEFT JOIN {annotations.Quoted} AS t ON t.annotation_id = s.annotation_id
        """;

    /// <summary>The one MERGE into the annotations table; :imported_at is the run's time.</summary>
    public string MergeAnnotations() => $"""
        MERGE INTO {annotations.Quoted} AS t
        USING ({Source}) AS s
        ON t.annotation_id = s.annotation_id
        WHEN MATCHED AND s.modified_at > t.modified_at AND s.deleted THEN UPDATE SET
          deleted = true, modified_at = s.modified_at, imported_at = :imported_at
        WHEN MATCHED AND s.modified_at > t.modified_at THEN UPDATE SET
          input_id = s.input_id, user_id = s.user_id, concepts = s.concepts, region = s.region, metadata = s.metadata,
          created_at = COALESCE(s.created_at, t.created_at), modified_at = s.modified_at, deleted = false, imported_at = :imported_at
        WHEN NOT MATCHED THEN INSERT
          (annotation_id, input_id, user_id, concepts, region, metadata, created_at, modified_at, deleted, imported_at)
          VALUES (s.annotation_id, s.input_id, s.user_id, s.concepts, s.region, s.metadata, s.created_at, s.modified_at, s.deleted, :imported_at)
        """;

    /// <summary>
    /// The one MERGE into the inputs table, by input_id with the same guard: an input's modified_at is the newest
    /// modified_at of its annotations. Rows volume_forward wrote (modified_at still NULL) get it on first contact.
    /// </summary>
    public string MergeInputs() => $"""
        MERGE INTO {inputs.Quoted} AS t
        USING (SELECT input_id, MAX(modified_at) AS modified_at FROM ({Source}) AS a GROUP BY input_id) AS s
        ON t.input_id = s.input_id
        WHEN MATCHED AND (t.modified_at IS NULL OR s.modified_at > t.modified_at) THEN UPDATE SET modified_at = s.modified_at
        WHEN NOT MATCHED THEN INSERT (input_id, modified_at, deleted) VALUES (s.input_id, s.modified_at, false)
        """;
}
