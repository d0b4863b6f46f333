using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using Azure;
using Azure.Data.Tables;
using DbxSync.Azure.Storage;
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
        await StorageErrors.CallAsync($"table {table}", () => service.GetTableClient(table).CreateIfNotExistsAsync(cancellationToken)).ConfigureAwait(false);
        _ensuredTables.TryAdd(table, true);
    }

    public Task<StateEntity?> GetAsync(string table, string partitionKey, string rowKey, CancellationToken cancellationToken = default) =>
        StorageErrors.CallAsync(Subject(table, partitionKey, rowKey), async () =>
        {
            var found = await service.GetTableClient(table).GetEntityIfExistsAsync<TableEntity>(partitionKey, rowKey, cancellationToken: cancellationToken).ConfigureAwait(false);
            return found.HasValue ? ToState(found.Value!) : null;
        });

    public Task<StateEntity> InsertAsync(string table, StateEntity entity, CancellationToken cancellationToken = default) =>
        StorageErrors.CallAsync(Subject(table, entity.PartitionKey, entity.RowKey), async () =>
            WithETag(entity, await service.GetTableClient(table).AddEntityAsync(ToTable(entity), cancellationToken).ConfigureAwait(false)));

    public Task<StateEntity> UpsertAsync(string table, StateEntity entity, CancellationToken cancellationToken = default) =>
        StorageErrors.CallAsync(Subject(table, entity.PartitionKey, entity.RowKey), async () =>
        {
            var client = service.GetTableClient(table);
            try
            {
                return WithETag(entity, entity.ETag is null
                    ? await client.UpsertEntityAsync(ToTable(entity), TableUpdateMode.Replace, cancellationToken).ConfigureAwait(false)
                    : await client.UpdateEntityAsync(ToTable(entity), new ETag(entity.ETag), TableUpdateMode.Replace, cancellationToken).ConfigureAwait(false));
            }
            catch (RequestFailedException e) when (e.Status == 404 && entity.ETag is not null)
            {
                throw Moved(table, entity.PartitionKey, entity.RowKey);
            }
        });

    public Task UpsertBatchAsync(string table, IReadOnlyList<StateEntity> entities, CancellationToken cancellationToken = default)
    {
        if (entities.Count == 0) return Task.CompletedTask;
        if (entities.Count > IStateStore.MaxBatch || entities.Any(e => e.PartitionKey != entities[0].PartitionKey || e.ETag is not null))
            throw new ArgumentException($"A batch is at most {IStateStore.MaxBatch} unconditional upserts of one partition.", nameof(entities));
        return StorageErrors.CallAsync(Subject(table, entities[0].PartitionKey, entities[0].RowKey), async () =>
            await service.GetTableClient(table).SubmitTransactionAsync(
                entities.Select(e => new TableTransactionAction(TableTransactionActionType.UpsertReplace, ToTable(e))), cancellationToken).ConfigureAwait(false));
    }

    public Task DeleteAsync(string table, string partitionKey, string rowKey, string? etag = null, CancellationToken cancellationToken = default) =>
        StorageErrors.CallAsync(Subject(table, partitionKey, rowKey), async () =>
        {
            // The SDK answers 404 as a plain response: success without an ETag (callers retry at least once), a lost update with one.
            var response = await service.GetTableClient(table).DeleteEntityAsync(partitionKey, rowKey, etag is null ? ETag.All : new ETag(etag), cancellationToken).ConfigureAwait(false);
            if (response.Status == 404 && etag is not null)
                throw Moved(table, partitionKey, rowKey);
        });

    public async IAsyncEnumerable<StateEntity> QueryAsync(string table, string? partitionKey, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await using var pages = service.GetTableClient(table).QueryAsync<TableEntity>(PartitionFilter(partitionKey), cancellationToken: cancellationToken)
            .AsPages().GetAsyncEnumerator(cancellationToken);
        while (await StorageErrors.CallAsync($"table {table}", () => pages.MoveNextAsync().AsTask()).ConfigureAwait(false))
            foreach (var entity in pages.Current.Values)
                yield return ToState(entity);
    }

    public IAsyncEnumerable<StateEntity> QueryRowKeyAsync(string table, string rowKey, CancellationToken cancellationToken = default)
        => QueryFilterAsync(table, TableClient.CreateQueryFilter($"RowKey eq {rowKey}"), cancellationToken);

    public IAsyncEnumerable<StateEntity> QueryRowsAsync(string table, string partitionKey, IReadOnlyList<string> rowKeys, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfZero(rowKeys.Count);
        // Each key through CreateQueryFilter, which quotes and escapes it; the OR of a few keys stays one request.
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {partitionKey}") + " and ("
                     + string.Join(" or ", rowKeys.Select(k => TableClient.CreateQueryFilter($"RowKey eq {k}"))) + ")";
        return QueryFilterAsync(table, filter, cancellationToken);
    }

    private async IAsyncEnumerable<StateEntity> QueryFilterAsync(string table, string filter, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await using var pages = service.GetTableClient(table).QueryAsync<TableEntity>(filter, cancellationToken: cancellationToken)
            .AsPages().GetAsyncEnumerator(cancellationToken);
        while (await StorageErrors.CallAsync($"table {table}", () => pages.MoveNextAsync().AsTask()).ConfigureAwait(false))
            foreach (var entity in pages.Current.Values)
                yield return ToState(entity);
    }

    /// <summary>A page may be shorter than <paramref name="pageSize"/> (even empty) while a continuation token remains.</summary>
    public Task<StatePage> QueryPageAsync(string table, string? partitionKey, int pageSize, string? continuationToken, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(pageSize, 1);
        return StorageErrors.CallAsync($"table {table}", async () =>
        {
            await foreach (var page in service.GetTableClient(table).QueryAsync<TableEntity>(PartitionFilter(partitionKey), pageSize, cancellationToken: cancellationToken)
                .AsPages(string.IsNullOrEmpty(continuationToken) ? null : continuationToken, pageSize).ConfigureAwait(false))
                return new StatePage(page.Values.Select(ToState).ToList(), string.IsNullOrEmpty(page.ContinuationToken) ? null : page.ContinuationToken);
            return new StatePage([], null);
        });
    }

    public async Task<HealthResult> CheckHealthAsync(CancellationToken cancellationToken = default)
    {
        try
        {
            await foreach (var _ in service.QueryAsync(maxPerPage: 1, cancellationToken: cancellationToken).AsPages(pageSizeHint: 1).ConfigureAwait(false))
                break;
            return HealthResult.Up();
        }
        catch (Exception e) when (StorageErrors.Failure(e) is { } failure)
        {
            return HealthResult.Down($"Table storage unreachable: {StorageErrors.Map(failure, "the table service").Message}");
        }
    }

    private static string? PartitionFilter(string? partitionKey) =>
        partitionKey is null ? null : TableClient.CreateQueryFilter($"PartitionKey eq {partitionKey}");

    private static string Subject(string table, string partitionKey, string rowKey) => $"{table} entity ({partitionKey}, {rowKey})";

    private static ConcurrencyException Moved(string table, string partitionKey, string rowKey) =>
        new($"{Subject(table, partitionKey, rowKey)} changed or was deleted since it was read (ETag mismatch).");

    private static StateEntity WithETag(StateEntity entity, Response response)
    {
        entity.ETag = response.Headers.ETag?.ToString();
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
        foreach (var (name, value) in entity)
            if (name is not ("PartitionKey" or "RowKey" or "Timestamp" or "odata.etag"))
                // The SDK reads Edm.Binary as BinaryData; the port promises byte[].
                state.Properties[name] = value is BinaryData binary ? binary.ToArray() : value;
        return state;
    }
}
