using DbxSync.Core.Configs;
using DbxSync.Core.Errors;
using DbxSync.Core.Principals;
using DbxSync.Core.Runs;
using DbxSync.Core.Sql;
using DbxSync.Core.State;

namespace DbxSync.Core.Syncs.TableExport;

/// <summary>How far a table export trails its table: the version last exported (the checkpoint) and the table's now.</summary>
public sealed record ExportLag(long? ExportedVersion, long TableVersion)
{
    /// <summary>Null before the first export; versions that change no data count too until a run skips past them.</summary>
    public long? VersionsBehind => ExportedVersion is { } exported ? Math.Max(0, TableVersion - exported) : null;
}

public sealed class ExportLagService(SyncConfigService configs, ServicePrincipalService principals, SyncStateRepository state, WarehouseResolver warehouses)
{
    public async Task<ExportLag> GetAsync(string configId, CancellationToken cancellationToken = default)
    {
        var config = await configs.GetAsync(configId, cancellationToken);
        if (config.ConfigType != SyncConfigType.Table)
            throw new ValidationException($"Sync config '{config.Id}' is a {config.ConfigType.ToWire()} config; only table exports trail a table version.", "config_type", "not-a-table-export");
        var principal = await principals.GetAsync(config.ServicePrincipalId, cancellationToken);
        var workspace = await principals.ConnectAsync(principal, cancellationToken);
        var warehouse = await warehouses.ResolveAsync(config, principal, workspace, cancellationToken);
        var checkpoint = await state.GetCheckpointAsync(config.Id, cancellationToken);
        var current = await TableExportSync.ReadLatestVersionAsync(workspace, warehouse, TableName.Parse(config.DatabricksPath), cancellationToken);
        return new ExportLag(checkpoint.Version, current);
    }
}
