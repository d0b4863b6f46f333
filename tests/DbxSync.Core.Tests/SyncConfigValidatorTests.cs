using DbxSync.Core.Configs;
using DbxSync.Core.Errors;

namespace DbxSync.Core.Tests;

public class SyncConfigValidatorTests
{
    private static SyncConfig Table(SyncConfigType type = SyncConfigType.Table) => new()
    {
        Id = "c", Name = "items", ConfigType = type, DatabricksPath = "main.default.items", ServicePrincipalId = "p",
        PkColumn = "id", LabelColumn = "label", CreatedAt = default, UpdatedAt = default,
    };

    private static SyncConfig Volume(SyncConfigType type = SyncConfigType.VolumeForward) => new()
    {
        Id = "c", Name = "files", ConfigType = type, DatabricksPath = "/Volumes/main/default/files", ServicePrincipalId = "p",
        CreatedAt = default, UpdatedAt = default,
    };

    [Fact]
    public void Good_configs_pass()
    {
        SyncConfigValidator.ValidateShape(Table());
        SyncConfigValidator.ValidateShape(Table(SyncConfigType.TableReverse) with { UseStaging = true, StagingVolumePath = "/Volumes/main/default/stage" });
        SyncConfigValidator.ValidateShape(Volume());
        SyncConfigValidator.ValidateShape(Volume(SyncConfigType.VolumeReverse) with { PropagateDeletes = true });
    }

    public static TheoryData<SyncConfig, string> BadConfigs => new()
    {
        { Table() with { PkColumn = null }, "pk_column" },
        { Table(SyncConfigType.TableReverse) with { LabelColumn = null }, "label_column" },
        { Table() with { DatabricksPath = "/Volumes/a/b/c" }, "databricks_path" },
        { Volume() with { DatabricksPath = "main.default.items" }, "databricks_path" },
        { Table(SyncConfigType.TableReverse) with { UseStaging = true }, "staging_volume_path" },
        { Table(SyncConfigType.TableReverse) with { UseStaging = true, StagingVolumePath = "/Volumes/a/b" }, "staging_volume_path" },
        { Table() with { UseStaging = true, StagingVolumePath = "/Volumes/a/b/c" }, "use_staging" },
        { Table() with { PollIntervalSeconds = 1 }, "poll_interval_seconds" },
        { Table() with { Name = "" }, "name" },
        { Table() with { PkColumn = "id`; drop" }, "pk_column" },
        { Table() with { LabelColumn = "ID", PkColumn = "id" }, "label_column" },
        { Volume() with { PkColumn = "id" }, "pk_column" },
        { Volume() with { DatabricksPath = "/Volumes/main/default/files/../../x" }, "databricks_path" },
        { Table() with { WarehouseId = "abc-123" }, "warehouse_id" },
    };

    [Theory]
    [MemberData(nameof(BadConfigs))]
    public void Bad_configs_name_the_offending_field(SyncConfig config, string field)
    {
        var ex = Assert.Throws<ValidationException>(() => SyncConfigValidator.ValidateShape(config));
        Assert.Equal(field, ex.Field);
    }
}
