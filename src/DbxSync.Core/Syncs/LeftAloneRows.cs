using System.Globalization;
using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using DbxSync.Core.Ports;
using DbxSync.Core.Sql;

namespace DbxSync.Core.Syncs;

/// <summary>
/// The keys of labeled rows an import left alone because the row no longer matched what the labelers saw (marker
/// or columns differ), per table, until the table's export sends them out again. Such a row is still unlabeled,
/// but when its table row did not change since the export (a formula or time zone change, a reformatted column)
/// the change feed never shows it again: without this list it would stay unlabeled for good.
/// Kept as JSON blobs in exports/_reexport/{table}/ of at most <see cref="MaxKeysPerBatch"/> keys each, written while
/// the import reads them and read one at a time by the export, so neither holds more than one batch however many
/// rows an import left alone. A batch is deleted once exported.
/// </summary>
public sealed class LeftAloneRows(IBlobStore blobs, int maxKeysPerBatch = LeftAloneRows.MaxKeysPerBatch)
{
    /// <summary>Keys per stored batch: with keys of up to 64 characters, a few MiB in memory.</summary>
    public const int MaxKeysPerBatch = 50_000;

    private static readonly JsonSerializerOptions Json = new() { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };

    /// <summary>
    /// One import's keys still to go out: the blob they are kept in, the keys (CAST(pk AS STRING) text) and how many
    /// parts of it were written already (the next part's number follows it).
    /// </summary>
    public sealed record Batch(string BlobName, string ETag, IReadOnlyList<string> Keys, int PartsDone = 0);

    private sealed record Stored(string Table, string Source, DateTimeOffset CreatedAt, IReadOnlyList<string> Keys, int PartsDone = 0);

    /// <summary>exports/_reexport/{catalog.schema.table}/: outside every config's folder, so no export listing sees it.</summary>
    public static string Prefix(TableName table) => $"_reexport/{table.FullName.ToLowerInvariant()}/";

    /// <summary>
    /// Starts keeping the keys one import of <paramref name="source"/> (at <paramref name="sourceVersion"/>, its ETag)
    /// leaves alone. The batches are named by the source's time, the source and a sequence number, so an import of the
    /// same file version tried again (after a crash) writes the same batches over, not a second copy of its keys.
    /// </summary>
    public Writer Begin(TableName table, string source, string sourceVersion, DateTimeOffset sourceTime) => new(blobs, maxKeysPerBatch, table, source, sourceVersion, sourceTime);

    /// <summary>Every batch waiting for <paramref name="table"/>, oldest first, each read only when it is reached.</summary>
    public async IAsyncEnumerable<Batch> ReadAsync(TableName table, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var names = new List<(string Name, string ETag)>();
        await foreach (var blob in blobs.ListAsync(BlobContainers.Exports, Prefix(table), cancellationToken))
            if (blob.Name.EndsWith(".json", StringComparison.Ordinal)) names.Add((blob.Name, blob.ETag));
        foreach (var (name, etag) in names.OrderBy(n => n.Name, StringComparer.Ordinal))
        {
            Stored? stored;
            await using (var content = await blobs.OpenReadAsync(BlobContainers.Exports, name, etag, cancellationToken))
                stored = await JsonSerializer.DeserializeAsync<Stored>(content, Json, cancellationToken);
            yield return new Batch(name, etag, stored?.Keys ?? [], stored?.PartsDone ?? 0);
        }
    }

    /// <summary>Whether any batch waits for <paramref name="table"/>: one listing, no content read (a probe's question).</summary>
    public async Task<bool> AnyAsync(TableName table, CancellationToken cancellationToken)
    {
        await foreach (var blob in blobs.ListAsync(BlobContainers.Exports, Prefix(table), cancellationToken))
            if (blob.Name.EndsWith(".json", StringComparison.Ordinal)) return true;
        return false;
    }

    /// <summary>
    /// After a part of <paramref name="batch"/> went out: keeps only the keys after its first <paramref name="sent"/>,
    /// with one more part done (only over the version that was read), or forgets the batch when none are left. Returns
    /// what is left (no keys when it is gone), so a run stopped after any part continues with the next one.
    /// </summary>
    public async Task<Batch> AdvanceAsync(Batch batch, int sent, CancellationToken cancellationToken)
    {
        var left = batch.Keys.Skip(sent).ToList();
        if (left.Count == 0)
        {
            await DeleteAsync(batch, cancellationToken);
            return batch with { Keys = [], PartsDone = batch.PartsDone + 1 };
        }
        Stored stored;
        await using (var content = await blobs.OpenReadAsync(BlobContainers.Exports, batch.BlobName, batch.ETag, cancellationToken))
            stored = (await JsonSerializer.DeserializeAsync<Stored>(content, Json, cancellationToken))!;
        using var body = new MemoryStream(JsonSerializer.SerializeToUtf8Bytes(stored with { Keys = left, PartsDone = batch.PartsDone + 1 }, Json));
        var written = await blobs.UploadAsync(BlobContainers.Exports, batch.BlobName, body,
            new BlobWriteOptions { ContentType = "application/json", IfMatch = batch.ETag }, cancellationToken);
        return new Batch(batch.BlobName, written.ETag, left, batch.PartsDone + 1);
    }

    /// <summary>Forgets a batch once its rows went out (only the version that was read).</summary>
    public Task DeleteAsync(Batch batch, CancellationToken cancellationToken)
        => blobs.DeleteAsync(BlobContainers.Exports, batch.BlobName, batch.ETag, cancellationToken);

    /// <summary>Writes one import's keys as they come, a batch blob per <see cref="MaxKeysPerBatch"/>; CompleteAsync writes the rest.</summary>
    public sealed class Writer
    {
        private readonly IBlobStore _blobs;
        private readonly int _maxKeys;
        private readonly TableName _table;
        private readonly string _source;
        private readonly string _namePrefix;
        private readonly DateTimeOffset _sourceTime;
        private readonly List<string> _keys = [];
        private int _batches;

        internal Writer(IBlobStore blobs, int maxKeys, TableName table, string source, string sourceVersion, DateTimeOffset sourceTime)
        {
            (_blobs, _maxKeys, _table, _source, _sourceTime) = (blobs, maxKeys, table, source, sourceTime);
            var id = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(source + "\n" + sourceVersion)))[..16];
            _namePrefix = Prefix(table) + sourceTime.UtcDateTime.ToString("yyyyMMdd'T'HHmmssfffffff", CultureInfo.InvariantCulture) + "-" + id + "-";
        }

        /// <summary>Keys kept so far.</summary>
        public long Count { get; private set; }

        public async ValueTask AddAsync(string key, CancellationToken cancellationToken)
        {
            _keys.Add(key);
            Count++;
            if (_keys.Count >= _maxKeys) await FlushAsync(cancellationToken);
        }

        public async Task CompleteAsync(CancellationToken cancellationToken)
        {
            if (_keys.Count > 0) await FlushAsync(cancellationToken);
        }

        private async Task FlushAsync(CancellationToken cancellationToken)
        {
            var name = string.Create(CultureInfo.InvariantCulture, $"{_namePrefix}{++_batches:D6}.json");
            using var body = new MemoryStream(JsonSerializer.SerializeToUtf8Bytes(new Stored(_table.FullName, _source, _sourceTime, _keys), Json));
            await _blobs.UploadAsync(BlobContainers.Exports, name, body, new BlobWriteOptions { ContentType = "application/json" }, cancellationToken);
            _keys.Clear();
        }
    }
}
