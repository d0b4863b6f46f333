using System.Net;
using System.Runtime.CompilerServices;
using System.Text.Json;
using DbxSync.Core.Errors;
using DbxSync.Core.Ports;
using DbxSync.Databricks.Http;

namespace DbxSync.Databricks.Sql;

/// <summary>
/// A succeeded statement. Rows are read lazily chunk by chunk: INLINE chunks come from the API, EXTERNAL_LINKS
/// chunks are streamed from their presigned URL (no Authorization header) and parsed element by element,
/// so a large chunk is never held whole.
/// </summary>
public sealed class SqlStatementResult : IStatementResult
{
    // Links are re-fetched a little before their stated expiry, so a download does not start on a dying URL.
    private static readonly TimeSpan ExpirySkew = TimeSpan.FromSeconds(30);

    private readonly SqlStatementClient _client;
    private readonly ResultData? _firstChunk;
    private readonly IProgress<long>? _rowProgress;
    private readonly int _columnCount;
    private readonly IReadOnlyList<ChunkInfo>? _chunks;

    internal SqlStatementResult(SqlStatementClient client, string statementId, ResultManifest? manifest, ResultData? firstChunk, IProgress<long>? rowProgress)
    {
        _client = client;
        StatementId = statementId;
        _firstChunk = firstChunk;
        _rowProgress = rowProgress;
        Columns = (manifest?.Schema?.Columns ?? [])
            .Select((c, i) => new SqlColumn(c.Name ?? $"col{i}", c.TypeText ?? c.TypeName ?? "", c.TypeName ?? "", c.Position ?? i))
            .OrderBy(c => c.Position)
            .ToList();
        _columnCount = Columns.Count;
        TotalRowCount = manifest?.TotalRowCount;
        // Read ahead only with every chunk's size known: the bytes in flight are what bounds it.
        if (manifest?.Chunks is { Count: > 1 } chunks && chunks.Count == manifest.TotalChunkCount
            && chunks.All(c => c.ChunkIndex is not null && c.ByteCount is not null))
            _chunks = chunks.OrderBy(c => c.ChunkIndex).ToList();
        Truncated = manifest?.Truncated ?? false;
    }

    public string StatementId { get; }
    /// <summary>Ordered by position; cell i of every row belongs to Columns[i].</summary>
    public IReadOnlyList<SqlColumn> Columns { get; }
    public long? TotalRowCount { get; }
    /// <summary>True when row_limit/byte_limit cut the result.</summary>
    public bool Truncated { get; }

    public async IAsyncEnumerable<string?[]> ReadRowsAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        if (_firstChunk?.ExternalLinks is { Count: > 0 } firstLinks && _chunks is { } chunks
            && _client.MaxParallelChunkDownloads > 1 && _client.MaxChunkBytesInFlight > 0)
        {
            var reader = new ChunkReadAhead(chunks, firstLinks, _client.MaxParallelChunkDownloads, _client.MaxChunkBytesInFlight,
                DownloadChunkAsync, index => ReadExternalChunkAsync(index, firstLinks, cancellationToken));
            long read = 0;
            await foreach (var row in reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                if (row is null)
                {
                    _rowProgress?.Report(read);
                    continue;
                }
                read++;
                yield return Fit(row);
            }
            yield break;
        }

        long rows = 0;
        var chunk = _firstChunk;
        while (chunk is not null)
        {
            if (chunk.ExternalLinks is { Count: > 0 } links)
            {
                foreach (var link in links)
                    await foreach (var row in ReadExternalChunkAsync(link, cancellationToken).ConfigureAwait(false))
                    {
                        rows++;
                        yield return Fit(row);
                    }
            }
            else if (chunk.DataArray is { } data)
            {
                foreach (var row in data)
                {
                    rows++;
                    yield return Fit(row);
                }
            }
            _rowProgress?.Report(rows);
            chunk = await NextChunkAsync(chunk, cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task<ResultData?> NextChunkAsync(ResultData chunk, CancellationToken cancellationToken)
    {
        // For EXTERNAL_LINKS the continuation sits on the (last) link, for INLINE on the chunk itself.
        var last = chunk.ExternalLinks is { Count: > 0 } links ? links[^1] : null;
        var internalLink = last?.NextChunkInternalLink ?? chunk.NextChunkInternalLink;
        var nextIndex = last?.NextChunkIndex ?? chunk.NextChunkIndex;
        if (SqlStatementClient.IsSafeInternalLink(internalLink, StatementId))
            return await _client.GetChunkByLinkAsync(internalLink!, cancellationToken).ConfigureAwait(false);
        if (nextIndex is { } index)
            return await _client.GetChunkAsync(StatementId, index, cancellationToken).ConfigureAwait(false);
        return null;
    }

    /// <summary>Rows shorter than the manifest (should not happen) are padded so positions never shift.</summary>
    private string?[] Fit(string?[] row)
    {
        if (row.Length >= _columnCount || _columnCount == 0) return row;
        var padded = new string?[_columnCount];
        Array.Copy(row, padded, row.Length);
        return padded;
    }

    private async IAsyncEnumerable<string?[]> ReadExternalChunkAsync(ExternalLink link, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var response = await OpenLinkAsync(link, cancellationToken).ConfigureAwait(false);
        using (response)
        {
            await using var stream = new StallTimeoutStream(await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false),
                _client.StreamStallTimeout, _client.Time, $"result chunk {link.ChunkIndex} download");
            IAsyncEnumerable<string?[]?> rows;
            rows = JsonSerializer.DeserializeAsyncEnumerable<string?[]>(stream, WorkspaceHttp.Json, cancellationToken);
            await foreach (var row in rows.ConfigureAwait(false))
                if (row is not null) yield return row;
        }
    }

    /// <summary>The link of a chunk: from the first response when it came with it, else from /result/chunks/{i}.</summary>
    private async Task<ExternalLink> LinkForAsync(int index, IReadOnlyList<ExternalLink> known, CancellationToken cancellationToken)
    {
        if (known.FirstOrDefault(l => l.ChunkIndex == index) is { } link) return link;
        var chunk = await _client.GetChunkAsync(StatementId, index, cancellationToken).ConfigureAwait(false);
        return chunk.ExternalLinks?.FirstOrDefault(l => l.ChunkIndex == index) ?? chunk.ExternalLinks?.FirstOrDefault()
            ?? throw new DatabricksRequestFailedException(WorkspaceErrorKind.Other, $"Statement {StatementId}: chunk {index} came back without a download link.");
    }

    /// <summary>One whole chunk body in pooled segments (it is counted in the read ahead's bytes in flight until it is read).</summary>
    private async Task<Stream> DownloadChunkAsync(ChunkInfo chunk, IReadOnlyList<ExternalLink> known, CancellationToken cancellationToken)
    {
        var link = await LinkForAsync(chunk.ChunkIndex!.Value, known, cancellationToken).ConfigureAwait(false);
        using var response = await OpenLinkAsync(link, cancellationToken).ConfigureAwait(false);
        await using var stream = new StallTimeoutStream(await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false),
            _client.StreamStallTimeout, _client.Time, $"result chunk {link.ChunkIndex} download");
        return await PooledChunkBuffer.ReadAllAsync(stream, chunk.ByteCount ?? 0, cancellationToken).ConfigureAwait(false);
    }

    private async IAsyncEnumerable<string?[]> ReadExternalChunkAsync(int index, IReadOnlyList<ExternalLink> known, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var link = await LinkForAsync(index, known, cancellationToken).ConfigureAwait(false);
        await foreach (var row in ReadExternalChunkAsync(link, cancellationToken).ConfigureAwait(false))
            yield return row;
    }

    /// <summary>Opens the download, swapping an expired or refused link for a fresh one from /result/chunks/{i} once.</summary>
    private async Task<HttpResponseMessage> OpenLinkAsync(ExternalLink link, CancellationToken cancellationToken)
    {
        var refreshed = false;
        if (IsExpired(link))
        {
            link = await FreshLinkAsync(link, cancellationToken).ConfigureAwait(false);
            refreshed = true;
        }
        while (true)
        {
            if (string.IsNullOrEmpty(link.Url) || !Uri.TryCreate(link.Url, UriKind.Absolute, out var url) || url.Scheme is not ("https" or "http"))
                throw new DatabricksRequestFailedException(WorkspaceErrorKind.Other, $"Statement {StatementId}: chunk {link.ChunkIndex} has no usable download link.");

            var request = new HttpRequestMessage(HttpMethod.Get, url);
            request.Options.Set(RequestPolicy.Operation, $"result chunk {link.ChunkIndex} download");
            request.Options.Set(RequestPolicy.Resend, ResendPolicy.Idempotent);
            foreach (var (name, value) in link.HttpHeaders ?? [])
                request.Headers.TryAddWithoutValidation(name, value);

            var response = await _client.LinkClient.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
            if (response.IsSuccessStatusCode) return response;

            var linkRejected = response.StatusCode is HttpStatusCode.Forbidden or HttpStatusCode.BadRequest or HttpStatusCode.Unauthorized or HttpStatusCode.NotFound;
            if (linkRejected && !refreshed)
            {
                response.Dispose();
                link = await FreshLinkAsync(link, cancellationToken).ConfigureAwait(false);
                refreshed = true;
                continue;
            }
            using (response)
            {
                // Storage error bodies (S3/Azure XML) can quote the signed URL; keep only the status.
                throw new DatabricksRequestFailedException(WorkspaceErrorKind.Other,
                    $"Statement {StatementId}: downloading result chunk {link.ChunkIndex} failed with HTTP {(int)response.StatusCode}.",
                    (int)response.StatusCode, isTransient: (int)response.StatusCode >= 500);
            }
        }
    }

    private bool IsExpired(ExternalLink link) =>
        link.Expiration is { } expiration && expiration - ExpirySkew <= _client.Time.GetUtcNow();

    private async Task<ExternalLink> FreshLinkAsync(ExternalLink stale, CancellationToken cancellationToken)
    {
        var index = stale.ChunkIndex ?? throw new DatabricksRequestFailedException(WorkspaceErrorKind.Other,
            $"Statement {StatementId}: an expired result link has no chunk index to refresh it with.");
        var chunk = await _client.GetChunkAsync(StatementId, index, cancellationToken).ConfigureAwait(false);
        return chunk.ExternalLinks?.FirstOrDefault(l => l.ChunkIndex == index) ?? chunk.ExternalLinks?.FirstOrDefault()
            ?? throw new DatabricksRequestFailedException(WorkspaceErrorKind.Other, $"Statement {StatementId}: chunk {index} came back without a download link.");
    }
}
