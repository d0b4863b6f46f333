using System.Globalization;
using System.Text.Json;
using DbxSync.Core.Ports;
using DbxSync.Core.Sql;

namespace DbxSync.Core.Syncs;

/// <summary>
/// The keys of labeled rows an import left alone because the row no longer matched what the labelers saw (marker
/// or columns differ), per table, until the table's export sends them out again. Such a row is still unlabeled,
/// but when its table row did not change since the export (a formula or time zone change, a reformatted column)
/// the change feed never shows it again: without this list it would stay unlabeled for good.
/// Kept as small JSON blobs in exports/_reexport/{table}/, one per import, deleted once exported.
/// </summary>
public sealed class LeftAloneRows(IBlobStore blobs)
{
    private static readonly JsonSerializerOptions Json = new() { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };

    /// <summary>
    /// One import's keys still to go out: the blob they are kept in, the keys (CAST(pk AS STRING) text) and how many
    /// parts of it were written already (the next part's number follows it).
    /// </summary>
    public sealed record Batch(string BlobName, string ETag, IReadOnlyList<string> Keys, int PartsDone = 0);

    private sealed record Stored(string Table, string Source, DateTimeOffset CreatedAt, IReadOnlyList<string> Keys, int PartsDone = 0);

    /// <summary>exports/_reexport/{catalog.schema.table}/: outside every config's folder, so no export listing sees it.</summary>
    public static string Prefix(TableName table) => $"_reexport/{table.FullName.ToLowerInvariant()}/";

    /// <summary>Keeps <paramref name="keys"/> of <paramref name="table"/> for its next export; <paramref name="source"/> says which import.</summary>
    public async Task AddAsync(TableName table, IReadOnlyList<string> keys, string source, DateTimeOffset now, CancellationToken cancellationToken)
    {
        if (keys.Count == 0) return;
        var name = Prefix(table) + now.UtcDateTime.ToString("yyyyMMdd'T'HHmmssfffffff", CultureInfo.InvariantCulture) + "-" + Guid.NewGuid().ToString("N") + ".json";
        using var body = new MemoryStream(JsonSerializer.SerializeToUtf8Bytes(new Stored(table.FullName, source, now, keys), Json));
        await blobs.UploadAsync(BlobContainers.Exports, name, body, new BlobWriteOptions { ContentType = "application/json" }, cancellationToken);
    }

    /// <summary>Every batch waiting for <paramref name="table"/>, oldest first.</summary>
    public async Task<List<Batch>> ListAsync(TableName table, CancellationToken cancellationToken)
    {
        var batches = new List<Batch>();
        await foreach (var blob in blobs.ListAsync(BlobContainers.Exports, Prefix(table), cancellationToken))
        {
            if (!blob.Name.EndsWith(".json", StringComparison.Ordinal)) continue;
            await using var content = await blobs.OpenReadAsync(BlobContainers.Exports, blob.Name, blob.ETag, cancellationToken);
            var stored = await JsonSerializer.DeserializeAsync<Stored>(content, Json, cancellationToken);
            batches.Add(new Batch(blob.Name, blob.ETag, stored?.Keys ?? [], stored?.PartsDone ?? 0));
        }
        return batches.OrderBy(b => b.BlobName, StringComparer.Ordinal).ToList();
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
}
