using DbxSync.Core.Errors;
using DbxSync.Core.Principals;
using DbxSync.Core.Runs;
using DbxSync.Core.State;
using Microsoft.Extensions.Logging;

namespace DbxSync.Core.Configs;

/// <summary>Creates, edits, pauses and removes sync configs; every write goes through SyncConfigValidator.</summary>
public sealed class SyncConfigService(
    SyncConfigRepository configs,
    ServicePrincipalService principals,
    SyncStateRepository state,
    SyncRunRepository runs,
    DueScheduleRepository schedules,
    TimeProvider time,
    ILogger<SyncConfigService> logger)
{
    public async Task<SyncConfig> CreateAsync(SyncConfigInput input, CancellationToken cancellationToken = default)
    {
        if (input.ConfigType is null) throw new ValidationException("config_type is required.", "config_type");
        var now = time.GetUtcNow();
        var config = Apply(new SyncConfig
        {
            Id = Guid.NewGuid().ToString(),
            Name = "",
            ConfigType = ParseType(input.ConfigType),
            DatabricksPath = "",
            ServicePrincipalId = "",
            CreatedAt = now,
            UpdatedAt = now,
        }, input);
        await ValidateAsync(config, cancellationToken);
        config = await configs.InsertAsync(config, cancellationToken);
        logger.LogInformation("Created {ConfigType} sync config {ConfigId} for {DatabricksPath}", config.ConfigType.ToWire(), config.Id, config.DatabricksPath);
        return config;
    }

    public async Task<SyncConfig> GetAsync(string id, CancellationToken cancellationToken = default)
        => (Guid.TryParse(id, out _) ? await configs.GetAsync(id, cancellationToken) : null)
           ?? throw new NotFoundException($"Sync config '{id}' does not exist.", "sync-config-not-found");

    public async Task<IReadOnlyList<SyncConfig>> ListAsync(string? configType = null, string? servicePrincipalId = null, CancellationToken cancellationToken = default)
    {
        SyncConfigType? type = configType is null ? null : ParseType(configType, "config_type");
        var list = new List<SyncConfig>();
        await foreach (var c in configs.ListAsync(cancellationToken))
            if ((type is null || c.ConfigType == type) && (servicePrincipalId is null || c.ServicePrincipalId == servicePrincipalId))
                list.Add(c);
        return list.OrderBy(c => c.CreatedAt).ToList();
    }

    /// <summary>PUT: the input is the whole config (unsent optional fields return to their defaults).</summary>
    public async Task<SyncConfig> ReplaceAsync(string id, SyncConfigInput input, string? ifMatch, CancellationToken cancellationToken = default)
    {
        var current = await GetAsync(id, cancellationToken);
        ETagCheck.Require(current.ETag, ifMatch);
        if (input.ConfigType is null) throw new ValidationException("config_type is required.", "config_type");
        var blank = new SyncConfig
        {
            Id = current.Id, Name = "", ConfigType = ParseType(input.ConfigType), DatabricksPath = "", ServicePrincipalId = "",
            CreatedAt = current.CreatedAt, UpdatedAt = time.GetUtcNow(), ETag = current.ETag,
        };
        return await SaveChangedAsync(current, Apply(blank, input), cancellationToken);
    }

    /// <summary>PATCH: only the sent fields change.</summary>
    public async Task<SyncConfig> PatchAsync(string id, SyncConfigInput input, string? ifMatch, CancellationToken cancellationToken = default)
    {
        var current = await GetAsync(id, cancellationToken);
        ETagCheck.Require(current.ETag, ifMatch);
        var changed = Apply(current with { UpdatedAt = time.GetUtcNow() }, input);
        if (input.ConfigType is not null) changed = changed with { ConfigType = ParseType(input.ConfigType) };
        return await SaveChangedAsync(current, changed, cancellationToken);
    }

    public async Task<SyncConfig> SetStatusAsync(string id, SyncConfigStatus status, string? ifMatch, CancellationToken cancellationToken = default)
    {
        var current = await GetAsync(id, cancellationToken);
        ETagCheck.Require(current.ETag, ifMatch);
        if (current.Status == status) return current;
        var saved = await configs.ReplaceAsync(current with { Status = status, UpdatedAt = time.GetUtcNow() }, cancellationToken);
        logger.LogInformation("Sync config {ConfigId} is now {Status}", id, status);
        if (status == SyncConfigStatus.Active) await DueAtOnceAsync(saved, cancellationToken);
        return saved;
    }

    /// <summary>
    /// A resumed config is due at the next tick, not a poll interval (or a backoff, or an adaptive interval) after its
    /// last run: whoever resumes it expects it to catch up with what changed while it was paused. Its error episode, if
    /// any, stands until a run ends it.
    /// </summary>
    private async Task DueAtOnceAsync(SyncConfig resumed, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        await schedules.UpdateAsync(resumed.Id, s => s.NextDueAt is { } at && at > now ? s with { NextDueAt = now } : s, cancellationToken);
    }

    public async Task DeleteAsync(string id, string? ifMatch, CancellationToken cancellationToken = default)
    {
        var current = await GetAsync(id, cancellationToken);
        ETagCheck.Require(current.ETag, ifMatch);
        await configs.DeleteAsync(id, ifMatch ?? current.ETag, cancellationToken);
        await state.DeleteAllAsync(id, cancellationToken);
        await runs.DeleteAllAsync(id, cancellationToken);
        logger.LogInformation("Deleted sync config {ConfigId}", id);
    }

    private async Task<SyncConfig> SaveChangedAsync(SyncConfig current, SyncConfig changed, CancellationToken cancellationToken)
    {
        if (changed.ConfigType != current.ConfigType)
            throw new ValidationException("config_type cannot change; create a new config instead.", "config_type");
        await ValidateAsync(changed, cancellationToken);
        // A changed path, pk or label makes the state stale; the next run resets it under the config's lease
        // (SyncStateRepository.ResetIfSourceChangedAsync), never here, where a running sync could write after us.
        var saved = await configs.ReplaceAsync(changed, cancellationToken);
        logger.LogInformation("Updated sync config {ConfigId}", saved.Id);
        await ProbeNowIfFailingAsync(saved, cancellationToken);
        return saved;
    }

    /// <summary>
    /// A config in its error state that was just changed is due at once instead of after its backoff: the change may be
    /// the fix (a staging volume for a labeled file too big without one, a new path or warehouse). The episode itself
    /// ends only when that run does not fail.
    /// </summary>
    private async Task ProbeNowIfFailingAsync(SyncConfig saved, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        if (await schedules.GetAsync(saved.Id, cancellationToken) is not { InErrorState: true } failing || failing.NextDueAt <= now) return;
        // ETag-checked: a run that ended the episode meanwhile wins, and its schedule stands.
        if (await schedules.TrySaveAsync(failing with { NextDueAt = now }, cancellationToken))
            logger.LogInformation("Sync config {ConfigId} changed during its error episode; it is probed at once", saved.Id);
    }

    private async Task ValidateAsync(SyncConfig config, CancellationToken cancellationToken)
    {
        SyncConfigValidator.ValidateShape(config);
        ServicePrincipal principal;
        try { principal = await principals.GetAsync(config.ServicePrincipalId, cancellationToken); }
        catch (NotFoundException) { throw new ValidationException($"Service principal '{config.ServicePrincipalId}' does not exist.", "service_principal_id", "service-principal-not-found"); }

        try
        {
            var workspace = await principals.ConnectAsync(principal.Id, cancellationToken);
            await SyncConfigValidator.ValidateAgainstWorkspaceAsync(config, workspace, cancellationToken);
        }
        catch (WorkspaceException ex) when (ex.Kind is WorkspaceErrorKind.Unreachable or WorkspaceErrorKind.Throttled || ex.IsTransient)
        {
            // The workspace did not answer: accept what the shape checks allow; the first run will tell.
            logger.LogWarning("Could not check {DatabricksPath} against the workspace ({Reason}); saved without that check", config.DatabricksPath, ex.Message);
        }
    }

    private static SyncConfig Apply(SyncConfig c, SyncConfigInput i) => AnnotationsPath(c with
    {
        Name = i.Name ?? c.Name,
        Description = i.Description ?? c.Description,
        DatabricksPath = i.DatabricksPath ?? c.DatabricksPath,
        ServicePrincipalId = i.ServicePrincipalId ?? c.ServicePrincipalId,
        PkColumn = i.PkColumn ?? c.PkColumn,
        LabelColumn = i.LabelColumn ?? c.LabelColumn,
        UseStaging = i.UseStaging ?? c.UseStaging,
        StagingVolumePath = i.StagingVolumePath ?? c.StagingVolumePath,
        WarehouseId = i.WarehouseId ?? c.WarehouseId,
        PollIntervalSeconds = i.PollIntervalSeconds ?? c.PollIntervalSeconds,
        MaxPollIntervalSeconds = i.MaxPollIntervalSeconds ?? c.MaxPollIntervalSeconds,
        Status = i.Enabled is { } e ? (e ? SyncConfigStatus.Active : SyncConfigStatus.Paused) : c.Status,
        SpreadsheetSafe = i.SpreadsheetSafe ?? c.SpreadsheetSafe,
        PropagateDeletes = i.PropagateDeletes ?? c.PropagateDeletes,
        UnknownColumns = i.UnknownColumns is null ? c.UnknownColumns : ParsePolicy(i.UnknownColumns),
        OverwriteLabels = i.OverwriteLabels ?? c.OverwriteLabels,
        InputsTable = i.InputsTable ?? c.InputsTable,
        AnnotationsTable = i.AnnotationsTable ?? c.AnnotationsTable,
        InputsManifest = i.InputsManifest ?? c.InputsManifest,
        InputsUrlExpiryHours = i.InputsUrlExpiryHours ?? c.InputsUrlExpiryHours,
        ExportFormat = i.ExportFormat ?? c.ExportFormat,
        InputColumn = i.InputColumn ?? c.InputColumn,
        MetadataColumns = i.MetadataColumns ?? c.MetadataColumns,
        LongitudeColumn = i.LongitudeColumn ?? c.LongitudeColumn,
        LatitudeColumn = i.LatitudeColumn ?? c.LatitudeColumn,
    }, i);

    /// <summary>An annotations_reverse config's databricks_path is its annotations table unless the client sent one.</summary>
    private static SyncConfig AnnotationsPath(SyncConfig c, SyncConfigInput i)
        => c.ConfigType == SyncConfigType.AnnotationsReverse && string.IsNullOrEmpty(i.DatabricksPath) && c.AnnotationsTable is not null
            ? c with { DatabricksPath = c.AnnotationsTable }
            : c;

    private static SyncConfigType ParseType(string value, string field = "config_type")
        => SyncConfigTypeNames.TryParse(value, out var t) ? t
           : throw new ValidationException($"config_type '{value}' is not one of table, table_reverse, volume_forward, volume_reverse, annotations_reverse.", field);

    private static UnknownColumnPolicy ParsePolicy(string value) => value switch
    {
        "reject" => UnknownColumnPolicy.Reject,
        "ignore" => UnknownColumnPolicy.Ignore,
        _ => throw new ValidationException("unknown_columns must be 'reject' or 'ignore'.", "unknown_columns"),
    };
}
