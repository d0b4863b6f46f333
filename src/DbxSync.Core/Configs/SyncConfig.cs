namespace DbxSync.Core.Configs;

public enum SyncConfigType { Table, TableReverse, VolumeForward, VolumeReverse, AnnotationsReverse }

public enum SyncConfigStatus { Active, Paused }

/// <summary>What a table_reverse import does with CSV columns the table does not have.</summary>
public enum UnknownColumnPolicy { Reject, Ignore }

public sealed record SyncConfig
{
    public required string Id { get; init; }
    public required string Name { get; init; }
    public string? Description { get; init; }
    public required SyncConfigType ConfigType { get; init; }
    /// <summary>catalog.schema.table for table types, /Volumes/c/s/v[/dir] for volume types.</summary>
    public required string DatabricksPath { get; init; }
    public required string ServicePrincipalId { get; init; }
    public string? PkColumn { get; init; }
    public string? LabelColumn { get; init; }
    public bool UseStaging { get; init; }
    public string? StagingVolumePath { get; init; }
    public string? WarehouseId { get; init; }
    public int PollIntervalSeconds { get; init; } = 60;
    /// <summary>
    /// Adaptive polling's cap: a source found unchanged is probed half as often after each such run, up to this
    /// interval; a change goes back to <see cref="PollIntervalSeconds"/>. Null: fixed polling.
    /// </summary>
    public int? MaxPollIntervalSeconds { get; init; }
    public SyncConfigStatus Status { get; init; } = SyncConfigStatus.Active;
    /// <summary>Guard cells starting with = + - @ against spreadsheet formula injection (table exports).</summary>
    public bool SpreadsheetSafe { get; init; }
    /// <summary>Volume syncs: delete on the target what disappeared from the source.</summary>
    public bool PropagateDeletes { get; init; }
    public UnknownColumnPolicy UnknownColumns { get; init; } = UnknownColumnPolicy.Reject;
    /// <summary>table_reverse: replace a label already set in the table (by hand or an earlier import) with the file's.</summary>
    public bool OverwriteLabels { get; init; }
    /// <summary>annotations_reverse (required) and volume_forward (optional): the inputs Delta table, catalog.schema.table.</summary>
    public string? InputsTable { get; init; }
    /// <summary>annotations_reverse: the annotations Delta table, catalog.schema.table (never the inputs table).</summary>
    public string? AnnotationsTable { get; init; }
    /// <summary>volume_forward: each run writes a Clarifai-format input manifest (CSV with expiring read-only URLs).</summary>
    public bool InputsManifest { get; init; }
    /// <summary>volume_forward with inputs_manifest: how long the manifest's URLs stay valid (1..168 hours).</summary>
    public int InputsUrlExpiryHours { get; init; } = 24;
    /// <summary>table: "clarifai_inputs" writes Clarifai's input CSV instead of the table's columns (null = the table's CSV).</summary>
    public string? ExportFormat { get; init; }
    /// <summary>clarifai_inputs: the column holding each row's URL or /Volumes/... path (input).</summary>
    public string? InputColumn { get; init; }
    /// <summary>clarifai_inputs: columns written into metadata as a JSON object.</summary>
    public IReadOnlyList<string>? MetadataColumns { get; init; }
    public string? LongitudeColumn { get; init; }
    public string? LatitudeColumn { get; init; }
    public required DateTimeOffset CreatedAt { get; init; }
    public required DateTimeOffset UpdatedAt { get; init; }
    public string? ETag { get; init; }

    public bool IsTableType => ConfigType is SyncConfigType.Table or SyncConfigType.TableReverse;
    /// <summary>Runs SQL statements, so it needs a warehouse: the table types, annotations_reverse, and a volume_forward recording inputs.</summary>
    public bool RunsSql => IsTableType || ConfigType == SyncConfigType.AnnotationsReverse || InputsTable is not null;
    public bool IsActive => Status == SyncConfigStatus.Active;
}

public static class SyncConfigTypeNames
{
    public static string ToWire(this SyncConfigType t) => t switch
    {
        SyncConfigType.Table => "table",
        SyncConfigType.TableReverse => "table_reverse",
        SyncConfigType.VolumeForward => "volume_forward",
        SyncConfigType.VolumeReverse => "volume_reverse",
        SyncConfigType.AnnotationsReverse => "annotations_reverse",
        _ => throw new ArgumentOutOfRangeException(nameof(t)),
    };

    public static bool TryParse(string? value, out SyncConfigType type)
    {
        switch (value)
        {
            case "table": type = SyncConfigType.Table; return true;
            case "table_reverse": type = SyncConfigType.TableReverse; return true;
            case "volume_forward": type = SyncConfigType.VolumeForward; return true;
            case "volume_reverse": type = SyncConfigType.VolumeReverse; return true;
            case "annotations_reverse": type = SyncConfigType.AnnotationsReverse; return true;
            default: type = default; return false;
        }
    }
}
