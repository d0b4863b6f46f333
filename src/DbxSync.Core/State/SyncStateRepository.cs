using System.Text;
using DbxSync.Core.Configs;
using DbxSync.Core.Ports;

namespace DbxSync.Core.State;

/// <summary>
/// Per-config checkpoint with ETag concurrency: the last Delta version exported, and the id of the table it belongs
/// to (DESCRIBE DETAIL), because a dropped and recreated table restarts its versions at 0. CommitTimestamp is that
/// version's commit time as DESCRIBE HISTORY shows it: the same version with another timestamp is another table, so
/// an unchanged probe needs DESCRIBE HISTORY only (null: not known yet, the next probe asks DESCRIBE DETAIL).
/// </summary>
public sealed record SyncCheckpoint(string ConfigId, long? Version, DateTimeOffset? UpdatedAt, string? ETag, string? TableId = null, DateTimeOffset? CommitTimestamp = null);

/// <summary>One file a volume sync has transferred: what it looked like when sent.</summary>
public sealed record ManifestEntry(string RelativePath, long Size, string Fingerprint, DateTimeOffset SyncedAt, string? ETag = null);

/// <summary>
/// SyncState: partition per config; row "source" (the path, pk and label the state describes), row "checkpoint",
/// rows "f|{path}" for manifests, rows "i|{blob}" for imports done.
/// </summary>
public sealed class SyncStateRepository(IStateStore store)
{
    private const string SourceRow = "source";
    private const string CheckpointRow = "checkpoint";
    private const string FilePrefix = "f|";
    private const string ImportPrefix = "i|";

    public async Task<SyncCheckpoint> GetCheckpointAsync(string configId, CancellationToken cancellationToken = default)
        => CheckpointOf(configId, await store.GetAsync(StateTables.SyncState, configId, CheckpointRow, cancellationToken));

    /// <summary>
    /// The rows an unchanged probe needs, in one query: whether the state still describes <paramref name="config"/>'s
    /// source (false also while a reset is pending or before the source was recorded), its checkpoint, and its schedule.
    /// </summary>
    public async Task<ProbeState> GetProbeStateAsync(SyncConfig config, CancellationToken cancellationToken = default)
    {
        StateEntity? source = null, checkpoint = null, schedule = null;
        await foreach (var e in store.QueryRowsAsync(StateTables.SyncState, config.Id, [SourceRow, CheckpointRow, DueScheduleRepository.Row], cancellationToken))
        {
            if (e.RowKey == SourceRow) source = e;
            else if (e.RowKey == CheckpointRow) checkpoint = e;
            else if (e.RowKey == DueScheduleRepository.Row) schedule = e;
        }
        return new ProbeState(
            source is not null && IsSource(source, config) && source.Properties.GetValueOrDefault("Pending") is not true,
            CheckpointOf(config.Id, checkpoint),
            schedule is null ? new DueSchedule { ConfigId = config.Id } : DueScheduleRepository.FromEntity(schedule));
    }

    private static bool IsSource(StateEntity source, SyncConfig config)
        => source.GetString("Path") == config.DatabricksPath && source.GetString("PkColumn") == config.PkColumn && source.GetString("LabelColumn") == config.LabelColumn;

    private static SyncCheckpoint CheckpointOf(string configId, StateEntity? e) => e is null
        ? new SyncCheckpoint(configId, null, null, null)
        : new SyncCheckpoint(configId, EntityValues.Long(e, "Version"), EntityValues.Time(e, "UpdatedAt"), e.ETag, e.GetString("TableId"), EntityValues.Time(e, "CommitTimestamp"));

    /// <summary>Advances the checkpoint only if nobody else moved it since it was read (ConcurrencyException otherwise).</summary>
    public async Task<SyncCheckpoint> SaveCheckpointAsync(SyncCheckpoint checkpoint, DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        var entity = new StateEntity
        {
            PartitionKey = checkpoint.ConfigId,
            RowKey = CheckpointRow,
            ETag = checkpoint.ETag,
            Properties = { ["Version"] = checkpoint.Version, ["UpdatedAt"] = now, ["TableId"] = checkpoint.TableId, ["CommitTimestamp"] = checkpoint.CommitTimestamp },
        };
        var saved = checkpoint.ETag is null
            ? await store.InsertAsync(StateTables.SyncState, entity, cancellationToken)
            : await store.UpsertAsync(StateTables.SyncState, entity, cancellationToken);
        return checkpoint with { UpdatedAt = now, ETag = saved.ETag };
    }

    /// <summary>
    /// Makes the state describe <paramref name="config"/>'s source: when its path, pk or label differ from what the
    /// state was built for, every other row of the state is deleted and the source's generation goes up (export file
    /// names carry it, so a new source never overwrites the old source's files). Call it only under the config's
    /// lease, so no run of the old source writes into the new source's state. The source row is marked pending until
    /// the deletes are done, so an interrupted reset is finished by the next run. State written before sources were
    /// recorded is adopted as it is. Returns whether it reset.
    /// </summary>
    public async Task<bool> ResetIfSourceChangedAsync(SyncConfig config, DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        var source = await store.GetAsync(StateTables.SyncState, config.Id, SourceRow, cancellationToken);
        var same = source is not null && IsSource(source, config);
        var pending = source?.Properties.GetValueOrDefault("Pending") is true;
        if (same && !pending) return false;
        var generation = (source is null ? 0 : EntityValues.Long(source, "Generation") ?? 0) + (source is null || same ? 0 : 1);
        if (source is null)
        {
            await SaveSourceAsync(config, generation, pending: false, now, cancellationToken);
            return false;
        }
        await SaveSourceAsync(config, generation, pending: true, now, cancellationToken);
        await foreach (var e in store.QueryAsync(StateTables.SyncState, config.Id, cancellationToken))
            if (e.RowKey != SourceRow) await DeleteIfExistsAsync(config.Id, e.RowKey, cancellationToken);
        await SaveSourceAsync(config, generation, pending: false, now, cancellationToken);
        return true;
    }

    /// <summary>How many times the config's source was reset (or its table recreated): 0 for the first source.</summary>
    public async Task<long> GetGenerationAsync(string configId, CancellationToken cancellationToken = default)
        => await store.GetAsync(StateTables.SyncState, configId, SourceRow, cancellationToken) is { } e ? EntityValues.Long(e, "Generation") ?? 0 : 0;

    /// <summary>Starts a new generation of the same source (its table was dropped and recreated); returns it.</summary>
    public async Task<long> NextGenerationAsync(SyncConfig config, DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        var generation = await GetGenerationAsync(config.Id, cancellationToken) + 1;
        await SaveSourceAsync(config, generation, pending: false, now, cancellationToken);
        return generation;
    }

    private Task SaveSourceAsync(SyncConfig config, long generation, bool pending, DateTimeOffset now, CancellationToken cancellationToken)
        => store.UpsertAsync(StateTables.SyncState, new StateEntity
        {
            PartitionKey = config.Id,
            RowKey = SourceRow,
            Properties =
            {
                ["Path"] = config.DatabricksPath, ["PkColumn"] = config.PkColumn, ["LabelColumn"] = config.LabelColumn,
                ["Generation"] = generation, ["Pending"] = pending, ["RecordedAt"] = now,
            },
        }, cancellationToken);

    public async Task<Dictionary<string, ManifestEntry>> GetManifestAsync(string configId, CancellationToken cancellationToken = default)
    {
        var result = new Dictionary<string, ManifestEntry>(StringComparer.Ordinal);
        await foreach (var e in store.QueryAsync(StateTables.SyncState, configId, cancellationToken))
        {
            if (!e.RowKey.StartsWith(FilePrefix, StringComparison.Ordinal)) continue;
            var path = e.GetString("Path") ?? "";
            result[path] = new ManifestEntry(path, EntityValues.Long(e, "Size") ?? 0, e.GetString("Fingerprint") ?? "",
                EntityValues.Time(e, "SyncedAt") ?? DateTimeOffset.MinValue, e.ETag);
        }
        return result;
    }

    /// <summary>Up to <see cref="IStateStore.MaxBatch"/> entries per request, each request all or none.</summary>
    public async Task SaveManifestEntriesAsync(string configId, IReadOnlyList<ManifestEntry> entries, CancellationToken cancellationToken = default)
    {
        foreach (var chunk in entries.Chunk(IStateStore.MaxBatch))
            await store.UpsertBatchAsync(StateTables.SyncState, chunk.Select(e => ManifestEntity(configId, e)).ToList(), cancellationToken);
    }

    private static StateEntity ManifestEntity(string configId, ManifestEntry entry) => new()
    {
        PartitionKey = configId,
        RowKey = FilePrefix + EncodeKey(entry.RelativePath),
        Properties = { ["Path"] = entry.RelativePath, ["Size"] = entry.Size, ["Fingerprint"] = entry.Fingerprint, ["SyncedAt"] = entry.SyncedAt },
    };

    public Task RemoveManifestEntryAsync(string configId, string relativePath, CancellationToken cancellationToken = default)
        => DeleteIfExistsAsync(configId, FilePrefix + EncodeKey(relativePath), cancellationToken);

    /// <summary>True when this exact blob version (name + ETag) was already imported.</summary>
    public async Task<bool> WasImportedAsync(string configId, string blobName, string etag, CancellationToken cancellationToken = default)
    {
        var e = await store.GetAsync(StateTables.SyncState, configId, ImportPrefix + EncodeKey(blobName), cancellationToken);
        return e is not null && e.GetString("ETag") == etag;
    }

    public Task MarkImportedAsync(string configId, string blobName, string etag, DateTimeOffset now, CancellationToken cancellationToken = default)
        => store.UpsertAsync(StateTables.SyncState, new StateEntity
        {
            PartitionKey = configId,
            RowKey = ImportPrefix + EncodeKey(blobName),
            Properties = { ["Blob"] = blobName, ["ETag"] = etag, ["ImportedAt"] = now },
        }, cancellationToken);

    public async Task DeleteAllAsync(string configId, CancellationToken cancellationToken = default)
    {
        await foreach (var e in store.QueryAsync(StateTables.SyncState, configId, cancellationToken))
            await DeleteIfExistsAsync(configId, e.RowKey, cancellationToken);
    }

    private async Task DeleteIfExistsAsync(string pk, string rk, CancellationToken cancellationToken)
    {
        try { await store.DeleteAsync(StateTables.SyncState, pk, rk, null, cancellationToken); }
        catch (Errors.NotFoundException) { }
        catch (Errors.StorageException ex) when (ex.Status == 404) { }
    }

    // Row keys may not hold '/', '\', '#', '?' and are limited to 1 KiB: key by a hash, keep the path in a property.
    private static string EncodeKey(string value) => Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(Encoding.UTF8.GetBytes(value)));
}
