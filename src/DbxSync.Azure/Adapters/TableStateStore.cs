using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using Azure;
using DbxSync.Azure.Storage;
using DbxSync.Azure.Storage.Tables;
using DbxSync.Core.Errors;
using DbxSync.Core.Ports;

namespace DbxSync.Azure.Adapters;

/// <summary>
/// <see cref="IStateStore"/> on Table Storage. 412 becomes <see cref="ConcurrencyException"/> and
/// 409 EntityAlreadyExists <see cref="ConflictException"/>, so Core never sees HTTP.
/// </summary>
public sealed class TableStateStore(TableServiceClient service) : IStateStore
{
    private readonly ConcurrentDictionary<string, bool> _ensuredTables = new(StringComparer.OrdinalIgnoreCase);

    public async Task EnsureTableAsync(string table, CancellationToken cancellationToken = default)
    {
        if (_ensuredTables.ContainsKey(table))
            return;
        await service.GetTableClient(table).CreateIfNotExistsAsync(cancellationToken).ConfigureAwait(false);
        _ensuredTables.TryAdd(table, true);
    }

    public async Task<StateEntity?> GetAsync(string table, string partitionKey, string rowKey, CancellationToken cancellationToken = default)
    {
        var entity = await service.GetTableClient(table).GetEntityIfExistsAsync(partitionKey, rowKey, cancellationToken).ConfigureAwait(false);
        return entity is null ? null : ToState(entity);
    }

    public async Task<StateEntity> InsertAsync(string table, StateEntity entity, CancellationToken cancellationToken = default)
    {
        var tableEntity = ToTable(entity);
        try
        {
            await service.GetTableClient(table).AddEntityAsync(tableEntity, cancellationToken).ConfigureAwait(false);
        }
        catch (StorageRequestFailedException e) when (e.IsAlreadyExists)
        {
            throw new ConflictException($"{table} already has an entity ({entity.PartitionKey}, {entity.RowKey}).", "entity-exists");
        }
        return WithETag(entity, tableEntity.ETag);
    }

    public async Task<StateEntity> UpsertAsync(string table, StateEntity entity, CancellationToken cancellationToken = default)
    {
        var tableEntity = ToTable(entity);
        var client = service.GetTableClient(table);
        try
        {
            if (entity.ETag is null)
                await client.UpsertEntityAsync(tableEntity, TableUpdateMode.Replace, cancellationToken).ConfigureAwait(false);
            else
                await client.UpdateEntityAsync(tableEntity, new ETag(entity.ETag), TableUpdateMode.Replace, cancellationToken).ConfigureAwait(false);
        }
        catch (StorageRequestFailedException e) when (e.IsConditionFailed || (entity.ETag is not null && e.IsNotFound))
        {
            throw Moved(table, entity.PartitionKey, entity.RowKey);
        }
        return WithETag(entity, tableEntity.ETag);
    }

    public async Task DeleteAsync(string table, string partitionKey, string rowKey, string? etag = null, CancellationToken cancellationToken = default)
    {
        try
        {
            await service.GetTableClient(table).DeleteEntityAsync(partitionKey, rowKey, etag is null ? ETag.All : new ETag(etag), cancellationToken).ConfigureAwait(false);
        }
        catch (StorageRequestFailedException e) when (e.IsNotFound && etag is null)
        {
            // Deleting what is already gone is success: callers retry at least once.
        }
        catch (StorageRequestFailedException e) when (e.IsConditionFailed || e.IsNotFound)
        {
            throw Moved(table, partitionKey, rowKey);
        }
    }

    public async IAsyncEnumerable<StateEntity> QueryAsync(string table, string? partitionKey, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await foreach (var entity in service.GetTableClient(table).QueryAsync(PartitionFilter(partitionKey), null, null, cancellationToken).ConfigureAwait(false))
            yield return ToState(entity);
    }

    /// <summary>A page may be shorter than <paramref name="pageSize"/> (even empty) while a continuation token remains.</summary>
    public async Task<StatePage> QueryPageAsync(string table, string? partitionKey, int pageSize, string? continuationToken, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(pageSize, 1);
        var continuation = string.IsNullOrEmpty(continuationToken) ? null : TableContinuation.Parse(continuationToken);
        var page = (await service.GetTableClient(table)
            .QueryPageAsync(PartitionFilter(partitionKey), null, pageSize, continuation, cancellationToken).ConfigureAwait(false)).Value;
        return new StatePage(page.Entities.Select(ToState).ToList(), page.Continuation?.ToToken());
    }

    public async Task<HealthResult> CheckHealthAsync(CancellationToken cancellationToken = default)
    {
        try
        {
            await service.PingAsync(cancellationToken).ConfigureAwait(false);
            return HealthResult.Up();
        }
        catch (Exception e) when (e is StorageException or HttpRequestException or RequestFailedException)
        {
            return HealthResult.Down($"Table storage unreachable: {e.Message}");
        }
    }

    private static string? PartitionFilter(string? partitionKey) =>
        partitionKey is null ? null : TableFilter.Equal("PartitionKey", partitionKey);

    private static ConcurrencyException Moved(string table, string partitionKey, string rowKey) =>
        new($"{table} entity ({partitionKey}, {rowKey}) changed or was deleted since it was read (ETag mismatch).");

    private static StateEntity WithETag(StateEntity entity, ETag etag)
    {
        entity.ETag = etag.ToString();
        return entity;
    }

    private static TableEntity ToTable(StateEntity entity)
    {
        var tableEntity = new TableEntity(entity.PartitionKey, entity.RowKey);
        foreach (var (name, value) in entity.Properties)
            tableEntity[name] = value;
        return tableEntity;
    }

    private static StateEntity ToState(TableEntity entity)
    {
        var state = new StateEntity { PartitionKey = entity.PartitionKey, RowKey = entity.RowKey, ETag = entity.ETag.ToString() };
        foreach (var (name, value) in entity.Properties)
            state.Properties[name] = value;
        return state;
    }
}
