using System.Text;
using DbxSync.Core.Ports;

namespace DbxSync.Core.State;

/// <summary>
/// Per-config checkpoint with ETag concurrency: the last Delta version exported, and the id of the table it belongs
/// to (DESCRIBE DETAIL), because a dropped and recreated table restarts its versions at 0.
/// </summary>
public sealed record SyncCheckpoint(string ConfigId, long? Version, DateTimeOffset? UpdatedAt, string? ETag, string? TableId = null);

/// <summary>One file a volume sync has transferred: what it looked like when sent.</summary>
public sealed record ManifestEntry(string RelativePath, long Size, string Fingerprint, DateTimeOffset SyncedAt, string? ETag = null);

/// <summary>SyncState: partition per config; row "checkpoint", rows "f|{path}" for manifests, rows "i|{blob}" for imports done.</summary>
public sealed class SyncStateRepository(IStateStore store)
{
    private const string CheckpointRow = "checkpoint";
    private const string FilePrefix = "f|";
    private const string ImportPrefix = "i|";

    public async Task<SyncCheckpoint> GetCheckpointAsync(string configId, CancellationToken cancellationToken = default)
    {
        var e = await store.GetAsync(StateTables.SyncState, configId, CheckpointRow, cancellationToken);
        return e is null
            ? new SyncCheckpoint(configId, null, null, null)
            : new SyncCheckpoint(configId, EntityValues.Long(e, "Version"), EntityValues.Time(e, "UpdatedAt"), e.ETag, e.GetString("TableId"));
    }

    /// <summary>Advances the checkpoint only if nobody else moved it since it was read (ConcurrencyException otherwise).</summary>
    public async Task<SyncCheckpoint> SaveCheckpointAsync(SyncCheckpoint checkpoint, DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        var entity = new StateEntity
        {
            PartitionKey = checkpoint.ConfigId,
            RowKey = CheckpointRow,
            ETag = checkpoint.ETag,
            Properties = { ["Version"] = checkpoint.Version, ["UpdatedAt"] = now, ["TableId"] = checkpoint.TableId },
        };
        var saved = checkpoint.ETag is null
            ? await store.InsertAsync(StateTables.SyncState, entity, cancellationToken)
            : await store.UpsertAsync(StateTables.SyncState, entity, cancellationToken);
        return checkpoint with { UpdatedAt = now, ETag = saved.ETag };
    }

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

    public Task SaveManifestEntryAsync(string configId, ManifestEntry entry, CancellationToken cancellationToken = default)
        => store.UpsertAsync(StateTables.SyncState, new StateEntity
        {
            PartitionKey = configId,
            RowKey = FilePrefix + EncodeKey(entry.RelativePath),
            Properties = { ["Path"] = entry.RelativePath, ["Size"] = entry.Size, ["Fingerprint"] = entry.Fingerprint, ["SyncedAt"] = entry.SyncedAt },
        }, cancellationToken);

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
