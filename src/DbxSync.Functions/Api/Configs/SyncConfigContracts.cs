using DbxSync.Core.Configs;

namespace DbxSync.Functions.Api.Configs;

// POST/PUT/PATCH bodies bind straight to Core's SyncConfigInput (every field optional; Core decides what each verb requires).

public sealed record SyncConfigResponse(
    string Id, string Name, string? Description, string ConfigType, string DatabricksPath, string ServicePrincipalId,
    string? PkColumn, string? LabelColumn, bool UseStaging, string? StagingVolumePath, string? WarehouseId,
    int PollIntervalSeconds, bool Enabled, string Status, bool SpreadsheetSafe, bool PropagateDeletes, string UnknownColumns,
    bool OverwriteLabels, string? InputsTable, string? AnnotationsTable, bool InputsManifest, int InputsUrlExpiryHours,
    string? ExportFormat, string? InputColumn, IReadOnlyList<string>? MetadataColumns, string? LongitudeColumn, string? LatitudeColumn, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt)
{
    public static SyncConfigResponse From(SyncConfig c) => new(
        c.Id, c.Name, c.Description, c.ConfigType.ToWire(), c.DatabricksPath, c.ServicePrincipalId,
        c.PkColumn, c.LabelColumn, c.UseStaging, c.StagingVolumePath, c.WarehouseId,
        c.PollIntervalSeconds, c.IsActive, c.IsActive ? "active" : "paused", c.SpreadsheetSafe, c.PropagateDeletes,
        c.UnknownColumns == UnknownColumnPolicy.Ignore ? "ignore" : "reject",
        c.OverwriteLabels, c.InputsTable, c.AnnotationsTable, c.InputsManifest, c.InputsUrlExpiryHours,
        c.ExportFormat, c.InputColumn, c.MetadataColumns, c.LongitudeColumn, c.LatitudeColumn, c.CreatedAt, c.UpdatedAt);
}
