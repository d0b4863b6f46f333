using DbxSync.Core.Ports;

namespace DbxSync.Core.State;

/// <summary>
/// An export being written in parts: the range it pins (kind, versions, the generation its names carry), which
/// checkpoint it continues, and the last finished part with the key of its last row. A run that stops for any
/// reason (its limit, a lost lease, a crash) leaves this behind, and the next run writes the next part from it.
/// </summary>
public sealed record ExportProgress
{
    public required string ConfigId { get; init; }
    /// <summary>The export generation the part names carry.</summary>
    public required long Generation { get; init; }
    /// <summary>snapshot, change_data_feed or version_difference.</summary>
    public required string Method { get; init; }
    public required long FromVersion { get; init; }
    /// <summary>The pinned version: every part reads the table as of it.</summary>
    public required long ToVersion { get; init; }
    /// <summary>The checkpoint version the export continues (null for a first export); a different checkpoint voids it.</summary>
    public long? AfterCheckpoint { get; init; }
    /// <summary>Why this range, as the run's message says it.</summary>
    public string? Describe { get; init; }
    public int PartsDone { get; init; }
    /// <summary>The key of the last row of the last finished part (the Databricks JSON_ARRAY text of the value).</summary>
    public string? LastKey { get; init; }
    public long Rows { get; init; }
    public long Bytes { get; init; }
    /// <summary>All parts are written (the next step is the final manifest and the checkpoint).</summary>
    public bool Complete { get; init; }
    public DateTimeOffset StartedAt { get; init; }
    /// <summary>Runs in a row cut off by their time limit while writing the next part (0 once a part is written).</summary>
    public int PartCutOffs { get; init; }
    public string? ETag { get; init; }
}

/// <summary>SyncState row "export" of a config: its <see cref="ExportProgress"/>, written with ETag concurrency.</summary>
public sealed class ExportProgressRepository(IStateStore store)
{
    private const string Row = "export";

    public async Task<ExportProgress?> GetAsync(string configId, CancellationToken cancellationToken = default)
    {
        var e = await store.GetAsync(StateTables.SyncState, configId, Row, cancellationToken);
        if (e is null) return null;
        return new ExportProgress
        {
            ConfigId = configId,
            Generation = EntityValues.Long(e, "Generation") ?? 0,
            Method = e.GetString("Method") ?? "snapshot",
            FromVersion = EntityValues.Long(e, "FromVersion") ?? 0,
            ToVersion = EntityValues.Long(e, "ToVersion") ?? 0,
            AfterCheckpoint = EntityValues.Long(e, "AfterCheckpoint"),
            Describe = e.GetString("Describe"),
            PartsDone = EntityValues.Int(e, "PartsDone") ?? 0,
            LastKey = e.GetString("LastKey"),
            Rows = EntityValues.Long(e, "Rows") ?? 0,
            Bytes = EntityValues.Long(e, "Bytes") ?? 0,
            Complete = EntityValues.Bool(e, "Complete"),
            StartedAt = EntityValues.Time(e, "StartedAt") ?? DateTimeOffset.MinValue,
            PartCutOffs = EntityValues.Int(e, "PartCutOffs") ?? 0,
            ETag = e.ETag,
        };
    }

    /// <summary>Writes the progress; only if nobody else moved it since it was read (ConcurrencyException otherwise).</summary>
    public async Task<ExportProgress> SaveAsync(ExportProgress progress, CancellationToken cancellationToken = default)
    {
        var entity = new StateEntity
        {
            PartitionKey = progress.ConfigId,
            RowKey = Row,
            ETag = progress.ETag,
            Properties =
            {
                ["Generation"] = progress.Generation, ["Method"] = progress.Method, ["FromVersion"] = progress.FromVersion,
                ["ToVersion"] = progress.ToVersion, ["AfterCheckpoint"] = progress.AfterCheckpoint, ["Describe"] = progress.Describe,
                ["PartsDone"] = progress.PartsDone, ["LastKey"] = progress.LastKey, ["Rows"] = progress.Rows, ["Bytes"] = progress.Bytes,
                ["Complete"] = progress.Complete, ["StartedAt"] = progress.StartedAt, ["PartCutOffs"] = progress.PartCutOffs,
            },
        };
        var saved = progress.ETag is null
            ? await store.InsertAsync(StateTables.SyncState, entity, cancellationToken)
            : await store.UpsertAsync(StateTables.SyncState, entity, cancellationToken);
        return progress with { ETag = saved.ETag };
    }

    public async Task DeleteAsync(string configId, CancellationToken cancellationToken = default)
    {
        try { await store.DeleteAsync(StateTables.SyncState, configId, Row, null, cancellationToken); }
        catch (Errors.NotFoundException) { }
        catch (Errors.StorageException ex) when (ex.Status == 404) { }
    }
}
