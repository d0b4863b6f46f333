using DbxSync.Core.Configs;
using DbxSync.Core.State;

namespace DbxSync.Functions.Api.Configs;

// POST/PUT/PATCH bodies bind straight to Core's SyncConfigInput (every field optional; Core decides what each verb requires).

public sealed record SyncConfigResponse(
    string Id, string Name, string? Description, string ConfigType, string DatabricksPath, string ServicePrincipalId,
    string? PkColumn, string? LabelColumn, bool UseStaging, string? StagingVolumePath, string? WarehouseId,
    int PollIntervalSeconds, int? MaxPollIntervalSeconds, bool Enabled, string Status, bool SpreadsheetSafe, bool PropagateDeletes, string UnknownColumns,
    bool OverwriteLabels, string? InputsTable, string? AnnotationsTable, bool InputsManifest, int InputsUrlExpiryHours,
    string? ExportFormat, string? InputColumn, IReadOnlyList<string>? MetadataColumns, string? LongitudeColumn, string? LatitudeColumn,
    DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt,
    DateTimeOffset? NextDueAt = null, DueReason DueReason = DueReason.Due, ConfigErrorState? ErrorState = null,
    LastRunResponse? LastRun = null, ExportLagSnapshot? ExportLag = null,
    int? CurrentPollIntervalSeconds = null, DateTimeOffset? LastCheckedAt = null, DateTimeOffset? UnchangedSince = null)
{
    /// <summary>A list row: the config, its schedule and its last run (with the last probe) from SyncState.</summary>
    public static SyncConfigResponse From(ConfigListItem item) => From(item.Config, item.Schedule) with
    {
        LastRun = item.LastRun is { } r ? new LastRunResponse(r.RunId, r.Outcome, r.FinishedAt, r.Rows, r.Files, r.Bytes, r.Error) : null,
        ExportLag = item.Config.ConfigType == SyncConfigType.Table && item.LastRun is { ProbedAt: not null } p
            ? new ExportLagSnapshot(p.ProbedVersion, p.ExportedVersion, p.VersionsBehind, p.ProbedAt)
            : null,
    };

    /// <summary>The config with its schedule from SyncState: when it is due next, why, and its error episode if any.</summary>
    public static SyncConfigResponse From(SyncConfig c, DueSchedule? schedule) => From(c) with
    {
        NextDueAt = schedule?.NextDueAt,
        DueReason = schedule?.Reason ?? DueReason.Due,
        // Adaptive polling: the interval the config is probed at now, and what the last probes found.
        CurrentPollIntervalSeconds = AdaptiveInterval.Current(schedule ?? new DueSchedule { ConfigId = c.Id }, c),
        LastCheckedAt = schedule?.LastCheckedAt,
        UnchangedSince = schedule?.UnchangedSince,
        ErrorState = schedule is { Error: { } error } ? new ConfigErrorState(error, schedule.ErrorSince, schedule.ConsecutiveFailures, schedule.AlertedAt) : null,
    };

    public static SyncConfigResponse From(SyncConfig c) => new(
        c.Id, c.Name, c.Description, c.ConfigType.ToWire(), c.DatabricksPath, c.ServicePrincipalId,
        c.PkColumn, c.LabelColumn, c.UseStaging, c.StagingVolumePath, c.WarehouseId,
        c.PollIntervalSeconds, c.MaxPollIntervalSeconds, c.IsActive, c.IsActive ? "active" : "paused", c.SpreadsheetSafe, c.PropagateDeletes,
        c.UnknownColumns == UnknownColumnPolicy.Ignore ? "ignore" : "reject",
        c.OverwriteLabels, c.InputsTable, c.AnnotationsTable, c.InputsManifest, c.InputsUrlExpiryHours,
        c.ExportFormat, c.InputColumn, c.MetadataColumns, c.LongitudeColumn, c.LatitudeColumn, c.CreatedAt, c.UpdatedAt);
}

/// <summary>One page of configs; next_page_token (opaque) fetches the next, total counts every match.</summary>
public sealed record SyncConfigPageResponse(IReadOnlyList<SyncConfigResponse> Items, string? NextPageToken, int Total, SyncConfigCounts Counts);

/// <summary>Of every config the query matched (total, not only this page): how many are failing and how many paused, for a list's summary.</summary>
public sealed record SyncConfigCounts(int Failing, int Paused);

/// <summary>The config's last finished run, as its state keeps it.</summary>
public sealed record LastRunResponse(string? RunId, Core.Runs.RunOutcome Outcome, DateTimeOffset? FinishedAt, long Rows, long Files, long Bytes, string? Error);

/// <summary>
/// Export lag from the last probe a run made (no warehouse statement): the table version it saw, the version
/// exported, the difference, and when (its age). A live check is GET .../export-lag.
/// </summary>
public sealed record ExportLagSnapshot(long? TableVersion, long? ExportedVersion, long? VersionsBehind, DateTimeOffset? ProbedAt);

/// <summary>
/// A config in an error episode (a permanent failure): the reason, since when, how many probes failed in a row and
/// when the episode's one alert went out. Cleared by the next run that does not fail.
/// </summary>
public sealed record ConfigErrorState(string Reason, DateTimeOffset? Since, int ConsecutiveFailures, DateTimeOffset? AlertedAt);
