using DbxSync.Core.Ports;
using DbxSync.Core.Syncs;

namespace DbxSync.Core.Syncs.LabeledImport;

/// <summary>
/// What one import did, written beside the processed file ({name}.report.json) and summarised in the run record:
/// rows applied, rows already carrying the label, and every row the guard left alone (changed or deleted since the
/// export, or a label already in the table) with its key, up to <see cref="NotAppliedRows.MaxListedKeys"/>.
/// </summary>
public sealed record ImportReport : DroppedFileReport
{
    private const int KeysInRunMessage = 20;

    public long Rows { get; init; }
    public long LabeledRows { get; init; }
    public long RowsWithoutLabel { get; init; }
    public long Updated { get; init; }
    public long Inserted { get; init; }
    /// <summary>Labeled rows whose label the table already had (a re-delivered file): nothing to change.</summary>
    public long AlreadyLabeled { get; init; }
    public long NotApplied { get; init; }
    public long ChangedSinceExport { get; init; }
    public long DeletedSinceExport { get; init; }
    public long LabelKept { get; init; }
    public IReadOnlyList<NotAppliedKey> NotAppliedKeys { get; init; } = [];
    public bool NotAppliedKeysTruncated { get; init; }
    /// <summary>Labeled rows the MERGE could not check against the row as exported (no marker, no other columns).</summary>
    public long Unguarded { get; init; }
    /// <summary>Why <see cref="Unguarded"/> rows could not be checked; null when every row was.</summary>
    public string? UnguardedReason { get; init; }
    /// <summary>Columns of the file the MERGE left out because a CSV value cannot be cast to their type.</summary>
    public IReadOnlyList<string> LeftOutColumns { get; init; } = [];

    public sealed record NotAppliedKey(string Key, string Reason);

    public static ImportReport Create(string configId, BlobItem blob, ImportValidation validation, MergeOutcome outcome, DateTimeOffset now)
    {
        var notApplied = outcome.NotApplied;
        var unguarded = outcome.UnguardedReason is null ? 0 : validation.RowsWithoutMarker;
        return new ImportReport
        {
            ConfigId = configId,
            Blob = $"{BlobContainers.Labeled}/{blob.Name}",
            Etag = blob.ETag,
            ImportedAt = now,
            Rows = validation.Rows,
            LabeledRows = validation.RowsToMerge,
            RowsWithoutLabel = validation.SkippedUnlabeled,
            Updated = outcome.Updated,
            Inserted = outcome.Inserted,
            AlreadyLabeled = Math.Max(0, validation.RowsToMerge - outcome.Updated - outcome.Inserted - notApplied.Total),
            NotApplied = notApplied.Total,
            ChangedSinceExport = notApplied.Count(NotAppliedReason.Changed),
            DeletedSinceExport = notApplied.Count(NotAppliedReason.Deleted),
            LabelKept = notApplied.Count(NotAppliedReason.LabelKept),
            NotAppliedKeys = notApplied.Listed.Select(k => new NotAppliedKey(k.Key, k.Reason)).ToList(),
            NotAppliedKeysTruncated = notApplied.Total > notApplied.Listed.Count,
            LeftOutColumns = validation.LeftOutColumns,
            Unguarded = unguarded,
            UnguardedReason = unguarded > 0 ? outcome.UnguardedReason : null,
        };
    }

    /// <summary>The run record's message: counts, the first keys left alone, columns left out, where the report is.</summary>
    public override string Summary(string reportPath)
    {
        var parts = new List<string>();
        if (NotApplied > 0)
        {
            var keys = string.Join(", ", NotAppliedKeys.Take(KeysInRunMessage).Select(k => $"{k.Key} ({k.Reason})"));
            parts.Add($"{NotApplied} labeled rows not applied (changed since export: {ChangedSinceExport}, deleted since export: {DeletedSinceExport}, " +
                      $"label already set: {LabelKept}); keys: {keys}{(NotApplied > KeysInRunMessage ? ", …" : "")}");
        }
        if (Unguarded > 0) parts.Add($"{Unguarded} labeled rows applied without a guard ({UnguardedReason}): a row edited since the export got its label anyway; keep the {RowMarker.Column} column in labeled files");
        if (AlreadyLabeled > 0) parts.Add($"{AlreadyLabeled} rows already had this label");
        if (RowsWithoutLabel > 0) parts.Add($"{RowsWithoutLabel} rows had no label and were left out");
        if (LeftOutColumns.Count > 0) parts.Add($"columns left out of the MERGE (a CSV value cannot be cast to their type): {string.Join(", ", LeftOutColumns)}");
        parts.Add($"report: {reportPath}");
        return string.Join("; ", parts);
    }
}
