using DbxSync.Core.Configs;

namespace DbxSync.Functions.Api.Configs;

/// <summary>POST/PUT/PATCH body. Every field optional on the wire; Core decides what each verb requires.</summary>
public sealed record SyncConfigBody
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
    public bool? Enabled { get; init; }
    public bool? SpreadsheetSafe { get; init; }
    public bool? PropagateDeletes { get; init; }
    public string? UnknownColumns { get; init; }

    public SyncConfigInput ToInput() => new()
    {
        Name = Name, Description = Description, ConfigType = ConfigType, DatabricksPath = DatabricksPath,
        ServicePrincipalId = ServicePrincipalId, PkColumn = PkColumn, LabelColumn = LabelColumn, UseStaging = UseStaging,
        StagingVolumePath = StagingVolumePath, WarehouseId = WarehouseId, PollIntervalSeconds = PollIntervalSeconds,
        Enabled = Enabled, SpreadsheetSafe = SpreadsheetSafe, PropagateDeletes = PropagateDeletes, UnknownColumns = UnknownColumns,
    };
}

public sealed record SyncConfigResponse(
    string Id, string Name, string? Description, string ConfigType, string DatabricksPath, string ServicePrincipalId,
    string? PkColumn, string? LabelColumn, bool UseStaging, string? StagingVolumePath, string? WarehouseId,
    int PollIntervalSeconds, bool Enabled, string Status, bool SpreadsheetSafe, bool PropagateDeletes, string UnknownColumns,
    DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt)
{
    public static SyncConfigResponse From(SyncConfig c) => new(
        c.Id, c.Name, c.Description, c.ConfigType.ToWire(), c.DatabricksPath, c.ServicePrincipalId,
        c.PkColumn, c.LabelColumn, c.UseStaging, c.StagingVolumePath, c.WarehouseId,
        c.PollIntervalSeconds, c.IsActive, c.IsActive ? "active" : "paused", c.SpreadsheetSafe, c.PropagateDeletes,
        c.UnknownColumns == UnknownColumnPolicy.Ignore ? "ignore" : "reject",
        c.CreatedAt, c.UpdatedAt);
}
