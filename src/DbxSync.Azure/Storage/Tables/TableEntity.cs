using Azure;

namespace DbxSync.Azure.Storage.Tables;

/// <summary>
/// A table row. Property values are string, int, long, bool, double, DateTimeOffset (stored UTC),
/// Guid or byte[]; these map to the EDM types one to one and round-trip unchanged.
/// </summary>
public sealed class TableEntity
{
    public TableEntity(string partitionKey, string rowKey)
    {
        PartitionKey = partitionKey;
        RowKey = rowKey;
    }

    public string PartitionKey { get; set; }
    public string RowKey { get; set; }
    /// <summary>Set by reads and writes; send it back in If-Match for optimistic concurrency.</summary>
    public ETag ETag { get; set; }
    public DateTimeOffset? Timestamp { get; set; }
    public IDictionary<string, object?> Properties { get; } = new Dictionary<string, object?>(StringComparer.Ordinal);

    public object? this[string name]
    {
        get => Properties.TryGetValue(name, out var value) ? value : null;
        set => Properties[name] = value;
    }
}
