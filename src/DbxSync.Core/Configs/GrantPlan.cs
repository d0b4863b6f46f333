using DbxSync.Core.Sql;

namespace DbxSync.Core.Configs;

/// <summary>The warehouse permission a principal needs: CAN_USE, set through the Permissions API (it is no SQL grant).</summary>
public sealed record WarehousePermission(string WarehouseId, string PermissionLevel, string Method, string Path, string Body);

/// <summary>Exactly what a config's principal must be granted, as statements an admin can run as they are.</summary>
public sealed record GrantPlan(string Principal, IReadOnlyList<string> Statements, WarehousePermission? Warehouse);

/// <summary>
/// The Unity Catalog privileges each sync type uses (Databricks SQL reference "GRANT" and "Unity Catalog privileges
/// and securable objects"): USE CATALOG and USE SCHEMA on the way down; SELECT to read a table (history, changes,
/// snapshot, import validation); MODIFY to MERGE labels; READ VOLUME / WRITE VOLUME for volume files and the staged
/// import file; CREATE TABLE on the schema where an unstaged import creates its staging table.
/// </summary>
public static class GrantPlanner
{
    public static GrantPlan Plan(SyncConfig config, string principal, bool principalIsServicePrincipal, string? warehouseId)
    {
        var to = QuotePrincipal(principal);
        var statements = new List<string>();
        void Grant(string privilege, string securable) { var s = $"GRANT {privilege} ON {securable} TO {to}"; if (!statements.Contains(s)) statements.Add(s); }
        void Path(string catalog, string schema)
        {
            Grant("USE CATALOG", $"CATALOG {SqlIdentifier.Quote(catalog)}");
            Grant("USE SCHEMA", $"SCHEMA {SqlIdentifier.Quote(catalog)}.{SqlIdentifier.Quote(schema)}");
        }

        switch (config.ConfigType)
        {
            case SyncConfigType.Table:
            {
                var table = TableName.Parse(config.DatabricksPath);
                Path(table.Catalog, table.Schema);
                Grant("SELECT", $"TABLE {table.Quoted}");
                break;
            }
            case SyncConfigType.TableReverse:
            {
                var table = TableName.Parse(config.DatabricksPath);
                Path(table.Catalog, table.Schema);
                Grant("SELECT", $"TABLE {table.Quoted}");
                Grant("MODIFY", $"TABLE {table.Quoted}");
                if (config.UseStaging && config.StagingVolumePath is { } stagingPath)
                {
                    var staging = VolumePath.Parse(stagingPath, "staging_volume_path");
                    Path(staging.Catalog, staging.Schema);
                    Grant("READ VOLUME", $"VOLUME {QuotedVolume(staging)}");
                    Grant("WRITE VOLUME", $"VOLUME {QuotedVolume(staging)}");
                }
                else
                {
                    Grant("CREATE TABLE", $"SCHEMA {SqlIdentifier.Quote(table.Catalog)}.{SqlIdentifier.Quote(table.Schema)}");
                }
                break;
            }
            case SyncConfigType.VolumeForward or SyncConfigType.VolumeReverse:
            {
                var volume = VolumePath.Parse(config.DatabricksPath);
                Path(volume.Catalog, volume.Schema);
                Grant("READ VOLUME", $"VOLUME {QuotedVolume(volume)}");
                if (config.ConfigType == SyncConfigType.VolumeReverse)
                    Grant("WRITE VOLUME", $"VOLUME {QuotedVolume(volume)}");
                break;
            }
        }

        WarehousePermission? warehouse = null;
        if (warehouseId is not null)
        {
            // Permissions API: PATCH /api/2.0/permissions/warehouses/{id} adds to the access control list.
            var who = principalIsServicePrincipal ? "service_principal_name" : "user_name";
            warehouse = new WarehousePermission(warehouseId, "CAN_USE", "PATCH", $"/api/2.0/permissions/warehouses/{warehouseId}",
                System.Text.Json.JsonSerializer.Serialize(new Dictionary<string, object>
                {
                    ["access_control_list"] = new[] { new Dictionary<string, string> { [who] = principal, ["permission_level"] = "CAN_USE" } },
                }));
        }
        return new GrantPlan(principal, statements, warehouse);
    }

    /// <summary>A principal (application id or user name) as a backquoted identifier; a backquote inside is doubled.</summary>
    public static string QuotePrincipal(string principal) => "`" + principal.Replace("`", "``", StringComparison.Ordinal) + "`";

    private static string QuotedVolume(VolumePath v) => $"{SqlIdentifier.Quote(v.Catalog)}.{SqlIdentifier.Quote(v.Schema)}.{SqlIdentifier.Quote(v.Volume)}";
}
