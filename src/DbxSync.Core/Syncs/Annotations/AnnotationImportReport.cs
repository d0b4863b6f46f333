using DbxSync.Core.Ports;

namespace DbxSync.Core.Syncs.Annotations;

/// <summary>What one annotation import did, written beside the processed file ({name}.report.json).</summary>
public sealed record AnnotationImportReport : DroppedFileReport
{
    public required string AnnotationsTable { get; init; }
    public required string InputsTable { get; init; }
    /// <summary>Annotation records in the file.</summary>
    public long Records { get; init; }
    /// <summary>Records dropped because a newer record of the same annotation_id is in the same file.</summary>
    public long DuplicatesDropped { get; init; }
    public long Inserted { get; init; }
    public long Updated { get; init; }
    /// <summary>Records older than the stored row: left alone.</summary>
    public long SkippedAsOlder { get; init; }
    /// <summary>Records with the stored row's own modified_at (a re-delivery): nothing to change.</summary>
    public long Unchanged { get; init; }
    /// <summary>Of the inserted and updated rows, those that are tombstones (deleted: true).</summary>
    public long Tombstoned { get; init; }
    public long InputsInserted { get; init; }
    public long InputsUpdated { get; init; }

    public override string Summary(string reportPath) =>
        $"{Records} annotation records: {Inserted} inserted, {Updated} updated, {SkippedAsOlder} skipped as older, {Unchanged} unchanged, " +
        $"{Tombstoned} tombstoned, {DuplicatesDropped} duplicate ids dropped; inputs {InputsInserted} inserted, {InputsUpdated} updated; report {reportPath}";

    public static AnnotationImportReport Create(string configId, BlobItem blob, string inputs, string annotations, DateTimeOffset now) => new()
    {
        ConfigId = configId,
        Blob = $"{BlobContainers.Annotations}/{blob.Name}",
        Etag = blob.ETag,
        ImportedAt = now,
        InputsTable = inputs,
        AnnotationsTable = annotations,
    };
}
