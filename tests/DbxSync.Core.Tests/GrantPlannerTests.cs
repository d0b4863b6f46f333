using DbxSync.Core.Configs;

namespace DbxSync.Core.Tests;

public sealed class GrantPlannerTests
{
    private static SyncConfig Config(SyncConfigType type, string path, bool staging = false, string? stagingPath = null) => new()
    {
        Id = "c", Name = "n", ConfigType = type, DatabricksPath = path, ServicePrincipalId = "p", UseStaging = staging, StagingVolumePath = stagingPath,
        CreatedAt = DateTimeOffset.UnixEpoch, UpdatedAt = DateTimeOffset.UnixEpoch,
    };

    [Fact]
    public void An_unstaged_import_needs_select_modify_and_create_table_on_its_schema()
    {
        var plan = GrantPlanner.Plan(Config(SyncConfigType.TableReverse, "main.labels.items"), "11111111-2222-3333-4444-555555555555", true, "abc123");
        const string to = "TO `11111111-2222-3333-4444-555555555555`";
        Assert.Equal(
        [
            $"GRANT USE CATALOG ON CATALOG `main` {to}",
            $"GRANT USE SCHEMA ON SCHEMA `main`.`labels` {to}",
            $"GRANT SELECT ON TABLE `main`.`labels`.`items` {to}",
            $"GRANT MODIFY ON TABLE `main`.`labels`.`items` {to}",
            $"GRANT CREATE TABLE ON SCHEMA `main`.`labels` {to}",
        ], plan.Statements);
        Assert.Equal("/api/2.0/permissions/warehouses/abc123", plan.Warehouse!.Path);
        Assert.Contains("\"service_principal_name\":\"11111111-2222-3333-4444-555555555555\"", plan.Warehouse.Body);
        Assert.Contains("CAN_USE", plan.Warehouse.Body);
    }

    [Fact]
    public void A_staged_import_reads_and_writes_its_staging_volume_instead()
    {
        var plan = GrantPlanner.Plan(Config(SyncConfigType.TableReverse, "main.labels.items", true, "/Volumes/ops/stage/files/in"), "user@example.com", false, "w");
        Assert.Contains("GRANT READ VOLUME ON VOLUME `ops`.`stage`.`files` TO `user@example.com`", plan.Statements);
        Assert.Contains("GRANT WRITE VOLUME ON VOLUME `ops`.`stage`.`files` TO `user@example.com`", plan.Statements);
        Assert.Contains("GRANT USE CATALOG ON CATALOG `ops` TO `user@example.com`", plan.Statements);
        Assert.DoesNotContain(plan.Statements, s => s.Contains("CREATE TABLE"));
        Assert.Contains("\"user_name\":\"user@example.com\"", plan.Warehouse!.Body);
    }

    [Fact]
    public void Volume_syncs_read_or_write_the_volume_and_a_principal_name_is_quoted_safely()
    {
        var forward = GrantPlanner.Plan(Config(SyncConfigType.VolumeForward, "/Volumes/main/raw/images/2024"), "odd`name", true, null);
        Assert.Equal(
        [
            "GRANT USE CATALOG ON CATALOG `main` TO `odd``name`",
            "GRANT USE SCHEMA ON SCHEMA `main`.`raw` TO `odd``name`",
            "GRANT READ VOLUME ON VOLUME `main`.`raw`.`images` TO `odd``name`",
        ], forward.Statements);
        Assert.Null(forward.Warehouse);
        var reverse = GrantPlanner.Plan(Config(SyncConfigType.VolumeReverse, "/Volumes/main/raw/images"), "p", true, null);
        Assert.Contains("GRANT WRITE VOLUME ON VOLUME `main`.`raw`.`images` TO `p`", reverse.Statements);
    }
}
