using DbxSync.Core.Configs;
using DbxSync.Core.Errors;
using DbxSync.Core.Ports;
using DbxSync.Core.Principals;
using DbxSync.Core.Runs;
using DbxSync.Core.Sql;

namespace DbxSync.Core.Syncs.Datasets;

/// <summary>The latest rows of a config's target table, as text cells (Databricks JSON_ARRAY format).</summary>
public sealed record TablePreview(string Table, IReadOnlyList<SqlColumn> Columns, IReadOnlyList<string?[]> Rows);

/// <summary>
/// After a run, the quickest check that rows landed (Clarifai's module shows one too): the latest rows of the table a
/// config writes. annotations_reverse: its annotations table (or, with which = "inputs", its inputs table), newest
/// import first; volume_forward with inputs_table: the inputs table, newest export first; table / table_reverse: the
/// table itself (no ordering column is known, so "latest" is simply the first rows Databricks returns).
/// </summary>
public sealed class TablePreviewService(SyncConfigService configs, ServicePrincipalService principals, WarehouseResolver warehouses)
{
    public const int MaxRows = 20;

    public async Task<TablePreview> GetAsync(string configId, string? which, CancellationToken cancellationToken = default)
    {
        var config = await configs.GetAsync(configId, cancellationToken);
        var (table, orderBy) = Target(config, which);
        var principal = await principals.GetAsync(config.ServicePrincipalId, cancellationToken);
        var workspace = await principals.ConnectAsync(principal, cancellationToken);
        if (await workspace.GetTableAsync(table.FullName, cancellationToken) is null)
            throw new NotFoundException($"Table {table} does not exist yet: it is created by the config's first run that writes to it.", "table-not-found");
        var warehouse = await warehouses.ResolveAsync(config, principal, workspace, cancellationToken);
        var result = await workspace.ExecuteAsync($"""
            SELECT * FROM {table.Quoted}
            {orderBy}
            LIMIT {MaxRows}
            """, null, new StatementOptions { WarehouseId = warehouse }, cancellationToken);
        var rows = new List<string?[]>();
        await foreach (var row in result.ReadRowsAsync(cancellationToken)) rows.Add(row);
        return new TablePreview(table.FullName, result.Columns, rows);
    }

    private static (TableName Table, string OrderBy) Target(SyncConfig config, string? which)
    {
        if (which is not (null or "annotations" or "inputs"))
            throw new ValidationException("table must be 'annotations' or 'inputs'.", "table");
        return config.ConfigType switch
        {
            SyncConfigType.AnnotationsReverse when which == "inputs" => (TableName.Parse(config.InputsTable, "inputs_table"), "ORDER BY modified_at DESC NULLS LAST, exported_at DESC NULLS LAST"),
            SyncConfigType.AnnotationsReverse => (TableName.Parse(config.AnnotationsTable, "annotations_table"), "ORDER BY imported_at DESC NULLS LAST, modified_at DESC"),
            SyncConfigType.VolumeForward when config.InputsTable is not null => (TableName.Parse(config.InputsTable, "inputs_table"), "ORDER BY exported_at DESC NULLS LAST"),
            SyncConfigType.Table or SyncConfigType.TableReverse => (TableName.Parse(config.DatabricksPath), ""),
            _ => throw new ValidationException($"Sync config '{config.Id}' writes no table ({config.ConfigType.ToWire()} without inputs_table).", "config_type", "no-target-table"),
        };
    }
}
