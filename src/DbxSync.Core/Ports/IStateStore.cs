namespace DbxSync.Core.Ports;

/// <summary>
/// A row of a state table. Properties hold string, int, long, bool, double, DateTimeOffset, Guid or byte[].
/// </summary>
public sealed class StateEntity
{
    public required string PartitionKey { get; init; }
    public required string RowKey { get; init; }
    /// <summary>Opaque concurrency token, null for an entity not read from the store.</summary>
    public string? ETag { get; set; }
    public Dictionary<string, object?> Properties { get; init; } = new(StringComparer.Ordinal);

    public string? GetString(string name) => Properties.TryGetValue(name, out var v) ? v?.ToString() : null;
}

public sealed record StatePage(IReadOnlyList<StateEntity> Items, string? ContinuationToken);

/// <summary>
/// Table-shaped state (Table Storage). Writes are conditional: Insert fails with ConflictException when the
/// row exists; Replace/Delete with an ETag fail with ConcurrencyException when it moved.
/// </summary>
public interface IStateStore
{
    /// <summary>Operations per <see cref="UpsertBatchAsync"/>: Table Storage's limit for one entity group transaction.</summary>
    const int MaxBatch = 100;

    Task EnsureTableAsync(string table, CancellationToken cancellationToken = default);
    Task<StateEntity?> GetAsync(string table, string partitionKey, string rowKey, CancellationToken cancellationToken = default);
    Task<StateEntity> InsertAsync(string table, StateEntity entity, CancellationToken cancellationToken = default);
    /// <summary>Replace when entity.ETag is set (conditional), else insert-or-replace.</summary>
    Task<StateEntity> UpsertAsync(string table, StateEntity entity, CancellationToken cancellationToken = default);
    /// <summary>
    /// Insert-or-replace of up to <see cref="MaxBatch"/> entities of one partition in one request, all or none (a Table
    /// Storage entity group transaction): a volume sync records 100 sent files in one round trip instead of 100.
    /// </summary>
    Task UpsertBatchAsync(string table, IReadOnlyList<StateEntity> entities, CancellationToken cancellationToken = default);
    Task DeleteAsync(string table, string partitionKey, string rowKey, string? etag = null, CancellationToken cancellationToken = default);
    /// <summary>Entities of one partition (or all when partitionKey is null), in key order, paged by the store.</summary>
    IAsyncEnumerable<StateEntity> QueryAsync(string table, string? partitionKey, CancellationToken cancellationToken = default);
    /// <summary>The rows with this row key across all partitions (one per config for a per-config row such as "schedule").</summary>
    IAsyncEnumerable<StateEntity> QueryRowKeyAsync(string table, string rowKey, CancellationToken cancellationToken = default);
    /// <summary>The rows of one partition with these row keys (those that exist), in one query: several per-config rows at the cost of one read.</summary>
    IAsyncEnumerable<StateEntity> QueryRowsAsync(string table, string partitionKey, IReadOnlyList<string> rowKeys, CancellationToken cancellationToken = default);
    Task<StatePage> QueryPageAsync(string table, string? partitionKey, int pageSize, string? continuationToken, CancellationToken cancellationToken = default);
    Task<HealthResult> CheckHealthAsync(CancellationToken cancellationToken = default);
}
