using DbxSync.Core.Errors;
using DbxSync.Core.Ports;
using DbxSync.Core.Sql;
using DbxSync.Core.Syncs.Datasets;

namespace DbxSync.Core.Configs;

/// <summary>The one place that decides whether a sync config is acceptable, per type.</summary>
public static class SyncConfigValidator
{
    public const int MinPollIntervalSeconds = 10;
    public const int MaxPollIntervalSeconds = 86_400;

    /// <summary>Shape checks that need nothing but the config itself.</summary>
    public static void ValidateShape(SyncConfig c)
    {
        if (string.IsNullOrWhiteSpace(c.Name)) throw new ValidationException("name is required.", "name");
        if (c.Name.Length > 128) throw new ValidationException("name is longer than 128 characters.", "name");
        if (c.Description is { Length: > 1024 }) throw new ValidationException("description is longer than 1024 characters.", "description");
        if (string.IsNullOrWhiteSpace(c.ServicePrincipalId)) throw new ValidationException("service_principal_id is required.", "service_principal_id");
        if (c.PollIntervalSeconds is < MinPollIntervalSeconds or > MaxPollIntervalSeconds)
            throw new ValidationException($"poll_interval_seconds must be between {MinPollIntervalSeconds} and {MaxPollIntervalSeconds}.", "poll_interval_seconds");
        if (c.MaxPollIntervalSeconds is { } cap && (cap < c.PollIntervalSeconds || cap > MaxPollIntervalSeconds))
            throw new ValidationException($"max_poll_interval_seconds must be between poll_interval_seconds ({c.PollIntervalSeconds}) and {MaxPollIntervalSeconds}.", "max_poll_interval_seconds");
        if (c.WarehouseId is { } wh && (wh.Length is 0 or > 64 || !wh.All(char.IsAsciiLetterOrDigit)))
            throw new ValidationException("warehouse_id must be letters and digits.", "warehouse_id");

        var type = c.ConfigType.ToWire();
        if (c.ConfigType == SyncConfigType.AnnotationsReverse)
        {
            ValidateAnnotationsShape(c);
        }
        else if (c.IsTableType)
        {
            TableName.Parse(c.DatabricksPath);
            if (string.IsNullOrEmpty(c.PkColumn)) throw new ValidationException($"pk_column is required for {type} configs.", "pk_column");
            if (string.IsNullOrEmpty(c.LabelColumn)) throw new ValidationException($"label_column is required for {type} configs.", "label_column");
            SqlIdentifier.Validate(c.PkColumn, "pk_column");
            SqlIdentifier.Validate(c.LabelColumn, "label_column");
            if (string.Equals(c.PkColumn, c.LabelColumn, StringComparison.OrdinalIgnoreCase))
                throw new ValidationException("pk_column and label_column must be different columns.", "label_column");
        }
        else
        {
            VolumePath.Parse(c.DatabricksPath);
            if (c.PkColumn is not null) throw new ValidationException($"pk_column does not apply to {type} configs.", "pk_column");
            if (c.LabelColumn is not null) throw new ValidationException($"label_column does not apply to {type} configs.", "label_column");
        }

        if (c.UseStaging && c.ConfigType != SyncConfigType.TableReverse)
            throw new ValidationException("use_staging applies only to table_reverse configs.", "use_staging");
        if (c.UseStaging && string.IsNullOrEmpty(c.StagingVolumePath))
            throw new ValidationException("staging_volume_path is required when use_staging is true.", "staging_volume_path");
        if (c.StagingVolumePath is not null)
        {
            if (c.ConfigType != SyncConfigType.TableReverse)
                throw new ValidationException("staging_volume_path applies only to table_reverse configs.", "staging_volume_path");
            VolumePath.Parse(c.StagingVolumePath, "staging_volume_path");
        }
        if (c.PropagateDeletes && c.IsTableType)
            throw new ValidationException("propagate_deletes applies only to volume configs.", "propagate_deletes");
        if (c.SpreadsheetSafe && c.ConfigType != SyncConfigType.Table)
            throw new ValidationException("spreadsheet_safe applies only to table configs.", "spreadsheet_safe");
        if (c.OverwriteLabels && c.ConfigType != SyncConfigType.TableReverse)
            throw new ValidationException("overwrite_labels applies only to table_reverse configs.", "overwrite_labels");
        if (c.InputsTable is not null && c.ConfigType is not (SyncConfigType.AnnotationsReverse or SyncConfigType.VolumeForward))
            throw new ValidationException("inputs_table applies only to volume_forward and annotations_reverse configs.", "inputs_table");
        if (c.InputsTable is not null) TableName.Parse(c.InputsTable, "inputs_table");
        if (c.InputsManifest && c.ConfigType != SyncConfigType.VolumeForward)
            throw new ValidationException("inputs_manifest applies only to volume_forward configs.", "inputs_manifest");
        // A user delegation key, and so the SAS signed with it, lives at most 7 days.
        if (c.InputsUrlExpiryHours is < 1 or > 168)
            throw new ValidationException("inputs_url_expiry_hours must be between 1 and 168 (7 days, a user delegation key's limit).", "inputs_url_expiry_hours");
        ClarifaiInputsFormat.ValidateShape(c);
        if (c.AnnotationsTable is not null && c.ConfigType != SyncConfigType.AnnotationsReverse)
            throw new ValidationException("annotations_table applies only to annotations_reverse configs.", "annotations_table");
    }

    /// <summary>
    /// annotations_reverse names two tables, created when missing, and they must differ: one MERGE per table per file
    /// relies on each holding one kind of row (Clarifai's module refuses the same table twice for the same reason).
    /// </summary>
    private static void ValidateAnnotationsShape(SyncConfig c)
    {
        if (string.IsNullOrEmpty(c.InputsTable)) throw new ValidationException("inputs_table is required for annotations_reverse configs.", "inputs_table");
        if (string.IsNullOrEmpty(c.AnnotationsTable)) throw new ValidationException("annotations_table is required for annotations_reverse configs.", "annotations_table");
        var inputs = TableName.Parse(c.InputsTable, "inputs_table");
        var annotations = TableName.Parse(c.AnnotationsTable, "annotations_table");
        if (string.Equals(inputs.FullName, annotations.FullName, StringComparison.OrdinalIgnoreCase))
            throw new ValidationException("inputs_table and annotations_table must be different tables.", "annotations_table");
        if (!string.Equals(c.DatabricksPath, annotations.FullName, StringComparison.OrdinalIgnoreCase))
            throw new ValidationException("databricks_path of an annotations_reverse config is its annotations_table (leave it out).", "databricks_path");
        if (c.PkColumn is not null) throw new ValidationException("pk_column does not apply to annotations_reverse configs.", "pk_column");
        if (c.LabelColumn is not null) throw new ValidationException("label_column does not apply to annotations_reverse configs.", "label_column");
    }

    /// <summary>Checks against the workspace: the table/volume and named columns exist.</summary>
    public static async Task ValidateAgainstWorkspaceAsync(SyncConfig c, IDatabricksWorkspace workspace, CancellationToken cancellationToken)
    {
        if (c.ConfigType == SyncConfigType.AnnotationsReverse)
        {
            // The tables are created on the first import when missing; one that exists must have the documented columns.
            await DatasetTables.RequireCompatibleAsync(workspace, TableName.Parse(c.InputsTable, "inputs_table"), DatasetTables.Inputs, "inputs_table", cancellationToken);
            await DatasetTables.RequireCompatibleAsync(workspace, TableName.Parse(c.AnnotationsTable, "annotations_table"), DatasetTables.Annotations, "annotations_table", cancellationToken);
        }
        else if (c.IsTableType)
        {
            var name = TableName.Parse(c.DatabricksPath);
            var table = await workspace.GetTableAsync(name.FullName, cancellationToken)
                ?? throw new ValidationException($"Table '{name}' does not exist in the workspace (or the principal cannot see it).", "databricks_path", "table-not-found");
            var columns = table.Columns.Select(col => col.Name).ToHashSet(StringComparer.OrdinalIgnoreCase);
            var missing = new[] { ("pk_column", c.PkColumn!), ("label_column", c.LabelColumn!) }.Concat(ClarifaiInputsFormat.NamedColumns(c)).Where(x => !columns.Contains(x.Item2)).ToList();
            if (missing.Count > 0)
                throw new ValidationException(
                    $"Table '{name}' has no column {string.Join(" and ", missing.Select(m => $"'{m.Item2}' ({m.Item1})"))}; it has: {string.Join(", ", table.Columns.Select(col => col.Name))}.",
                    missing[0].Item1, "column-not-found");
        }
        else
        {
            await RequireVolumeAsync(VolumePath.Parse(c.DatabricksPath), "databricks_path", workspace, cancellationToken);
        }
        if (c.StagingVolumePath is not null)
            await RequireVolumeAsync(VolumePath.Parse(c.StagingVolumePath, "staging_volume_path"), "staging_volume_path", workspace, cancellationToken);
        if (c.ConfigType == SyncConfigType.VolumeForward && c.InputsTable is not null)
            await DatasetTables.RequireCompatibleAsync(workspace, TableName.Parse(c.InputsTable, "inputs_table"), DatasetTables.Inputs, "inputs_table", cancellationToken);
    }

    private static async Task RequireVolumeAsync(VolumePath path, string field, IDatabricksWorkspace workspace, CancellationToken cancellationToken)
    {
        _ = await workspace.GetVolumeAsync(path.FullName, cancellationToken)
            ?? throw new ValidationException($"Volume '{path.FullName}' does not exist in the workspace (or the principal cannot see it).", field, "volume-not-found");
    }
}
