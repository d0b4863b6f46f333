using DbxSync.Core.Ports;
using DbxSync.Core.State;

namespace DbxSync.Core.Configs;

public sealed class SyncConfigRepository(IStateStore store)
{
    private const string Partition = "config";

    public async Task<SyncConfig?> GetAsync(string id, CancellationToken cancellationToken = default)
    {
        var e = await store.GetAsync(StateTables.SyncConfigs, Partition, id, cancellationToken);
        return e is null ? null : FromEntity(e);
    }

    public async IAsyncEnumerable<SyncConfig> ListAsync([System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await foreach (var e in store.QueryAsync(StateTables.SyncConfigs, Partition, cancellationToken))
            yield return FromEntity(e);
    }

    public async Task<SyncConfig> InsertAsync(SyncConfig c, CancellationToken cancellationToken = default)
        => FromEntity(await store.InsertAsync(StateTables.SyncConfigs, ToEntity(c), cancellationToken));

    /// <summary>Conditional on c.ETag; ConcurrencyException when it moved.</summary>
    public async Task<SyncConfig> ReplaceAsync(SyncConfig c, CancellationToken cancellationToken = default)
        => FromEntity(await store.UpsertAsync(StateTables.SyncConfigs, ToEntity(c), cancellationToken));

    public Task DeleteAsync(string id, string? etag, CancellationToken cancellationToken = default)
        => store.DeleteAsync(StateTables.SyncConfigs, Partition, id, etag, cancellationToken);

    private static StateEntity ToEntity(SyncConfig c) => new()
    {
        PartitionKey = Partition,
        RowKey = c.Id,
        ETag = c.ETag,
        Properties =
        {
            ["Name"] = c.Name,
            ["Description"] = c.Description,
            ["ConfigType"] = c.ConfigType.ToWire(),
            ["DatabricksPath"] = c.DatabricksPath,
            ["ServicePrincipalId"] = c.ServicePrincipalId,
            ["PkColumn"] = c.PkColumn,
            ["LabelColumn"] = c.LabelColumn,
            ["UseStaging"] = c.UseStaging,
            ["StagingVolumePath"] = c.StagingVolumePath,
            ["WarehouseId"] = c.WarehouseId,
            ["PollIntervalSeconds"] = c.PollIntervalSeconds,
            ["MaxPollIntervalSeconds"] = c.MaxPollIntervalSeconds,
            ["Status"] = c.Status.ToString(),
            ["SpreadsheetSafe"] = c.SpreadsheetSafe,
            ["PropagateDeletes"] = c.PropagateDeletes,
            ["UnknownColumns"] = c.UnknownColumns.ToString(),
            ["OverwriteLabels"] = c.OverwriteLabels,
            ["InputsTable"] = c.InputsTable,
            ["AnnotationsTable"] = c.AnnotationsTable,
            ["InputsManifest"] = c.InputsManifest,
            ["InputsUrlExpiryHours"] = c.InputsUrlExpiryHours,
            ["ExportFormat"] = c.ExportFormat,
            ["InputColumn"] = c.InputColumn,
            ["MetadataColumns"] = c.MetadataColumns is null ? null : string.Join(",", c.MetadataColumns),
            ["LongitudeColumn"] = c.LongitudeColumn,
            ["LatitudeColumn"] = c.LatitudeColumn,
            ["CreatedAt"] = c.CreatedAt,
            ["UpdatedAt"] = c.UpdatedAt,
        },
    };

    private static SyncConfig FromEntity(StateEntity e) => new()
    {
        Id = e.RowKey,
        Name = e.GetString("Name") ?? "",
        Description = e.GetString("Description"),
        ConfigType = SyncConfigTypeNames.TryParse(e.GetString("ConfigType"), out var t) ? t : SyncConfigType.Table,
        DatabricksPath = e.GetString("DatabricksPath") ?? "",
        ServicePrincipalId = e.GetString("ServicePrincipalId") ?? "",
        PkColumn = e.GetString("PkColumn"),
        LabelColumn = e.GetString("LabelColumn"),
        UseStaging = EntityValues.Bool(e, "UseStaging"),
        StagingVolumePath = e.GetString("StagingVolumePath"),
        WarehouseId = e.GetString("WarehouseId"),
        PollIntervalSeconds = EntityValues.Int(e, "PollIntervalSeconds") ?? 60,
        MaxPollIntervalSeconds = EntityValues.Int(e, "MaxPollIntervalSeconds"),
        Status = Enum.TryParse<SyncConfigStatus>(e.GetString("Status"), out var s) ? s : SyncConfigStatus.Active,
        SpreadsheetSafe = EntityValues.Bool(e, "SpreadsheetSafe"),
        PropagateDeletes = EntityValues.Bool(e, "PropagateDeletes"),
        UnknownColumns = Enum.TryParse<UnknownColumnPolicy>(e.GetString("UnknownColumns"), out var u) ? u : UnknownColumnPolicy.Reject,
        OverwriteLabels = EntityValues.Bool(e, "OverwriteLabels"),
        InputsTable = e.GetString("InputsTable"),
        AnnotationsTable = e.GetString("AnnotationsTable"),
        InputsManifest = EntityValues.Bool(e, "InputsManifest"),
        InputsUrlExpiryHours = EntityValues.Int(e, "InputsUrlExpiryHours") ?? 24,
        ExportFormat = e.GetString("ExportFormat"),
        InputColumn = e.GetString("InputColumn"),
        // Column names are validated identifiers, so a comma never occurs inside one.
        MetadataColumns = e.GetString("MetadataColumns") is { } m ? m.Split(',', StringSplitOptions.RemoveEmptyEntries) : null,
        LongitudeColumn = e.GetString("LongitudeColumn"),
        LatitudeColumn = e.GetString("LatitudeColumn"),
        CreatedAt = EntityValues.Time(e, "CreatedAt") ?? DateTimeOffset.MinValue,
        UpdatedAt = EntityValues.Time(e, "UpdatedAt") ?? DateTimeOffset.MinValue,
        ETag = e.ETag,
    };
}
