namespace DbxSync.Core.Configs;

/// <summary>Fields a client sends to create or change a config. Null means "not sent" (PATCH keeps the current value).</summary>
public sealed record SyncConfigInput
{
    public string? Name { get; init; }
    public string? Description { get; init; }
    public string? ConfigType { get; init; }
    public string? DatabricksPath { get; init; }
    public string? ServicePrincipalId { get; init; }
    public string? PkColumn { get; init; }
    public string? LabelColumn { get; init; }
    public bool? UseStaging { get; init; }
    public string? StagingVolumePath { get; init; }
    public string? WarehouseId { get; init; }
    public int? PollIntervalSeconds { get; init; }
    /// <summary>Adaptive polling's longest interval (poll_interval_seconds..86400); equal to poll_interval_seconds turns it off.</summary>
    public int? MaxPollIntervalSeconds { get; init; }
    public bool? Enabled { get; init; }
    public bool? SpreadsheetSafe { get; init; }
    public bool? PropagateDeletes { get; init; }
    public string? UnknownColumns { get; init; }
    public bool? OverwriteLabels { get; init; }
    public string? InputsTable { get; init; }
    public string? AnnotationsTable { get; init; }
    public bool? InputsManifest { get; init; }
    public int? InputsUrlExpiryHours { get; init; }
    public string? ExportFormat { get; init; }
    public string? InputColumn { get; init; }
    public IReadOnlyList<string>? MetadataColumns { get; init; }
    public string? LongitudeColumn { get; init; }
    public string? LatitudeColumn { get; init; }
}
