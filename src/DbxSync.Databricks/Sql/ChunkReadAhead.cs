using System.Runtime.CompilerServices;
using System.Text.Json;
using DbxSync.Databricks.Http;

namespace DbxSync.Databricks.Sql;

/// <summary>
/// Reads EXTERNAL_LINKS chunks in order while the next ones download in parallel. What bounds the read ahead is the
/// bytes of downloaded-but-unread chunks (their manifest byte_count), not their number, so memory stays the same
/// whatever the chunk size; a chunk larger than the whole budget is streamed on its own when its turn comes.
/// Rows come out in chunk order, exactly as a sequential read gives them. A null row marks the end of a chunk.
/// </summary>
internal sealed class ChunkReadAhead(
    IReadOnlyList<ChunkInfo> chunks,
    IReadOnlyList<ExternalLink> knownLinks,
    int maxParallel,
    long maxBytesInFlight,
    Func<ChunkInfo, IReadOnlyList<ExternalLink>, CancellationToken, Task<Stream>> download,
    Func<int, IAsyncEnumerable<string?[]>> stream)
{
    public async IAsyncEnumerable<string?[]?> ReadAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var pending = new Queue<(ChunkInfo Chunk, Task<Stream>? Body)>();
        long inFlight = 0;
        var next = 0;
        try
        {
            while (next < chunks.Count || pending.Count > 0)
            {
                while (next < chunks.Count && pending.Count < maxParallel)
                {
                    var chunk = chunks[next];
                    var size = chunk.ByteCount!.Value;
                    if (size > maxBytesInFlight)
                    {
                        // Too big to hold: streamed when it is the only one left.
                        if (pending.Count == 0) { pending.Enqueue((chunk, null)); next++; }
                        break;
                    }
                    if (pending.Count > 0 && inFlight + size > maxBytesInFlight) break;
                    inFlight += size;
                    pending.Enqueue((chunk, download(chunk, knownLinks, stop.Token)));
                    next++;
                }

                var (head, body) = pending.Dequeue();
                if (body is null)
                {
                    await foreach (var row in stream(head.ChunkIndex!.Value).WithCancellation(cancellationToken).ConfigureAwait(false))
                        yield return row;
                }
                else
                {
                    await using (var buffered = await body.ConfigureAwait(false))
                    {
                        await foreach (var row in JsonSerializer.DeserializeAsyncEnumerable<string?[]>(buffered, WorkspaceHttp.Json, cancellationToken).ConfigureAwait(false))
                            if (row is not null) yield return row;
                    }
                    inFlight -= head.ByteCount!.Value;
                }
                yield return null;
            }
        }
        finally
        {
            // Stopped early (the reader had enough, or failed): cancel and observe the downloads still running.
            await stop.CancelAsync().ConfigureAwait(false);
            while (pending.TryDequeue(out var left))
            {
                if (left.Body is null) continue;
                try { await (await left.Body.ConfigureAwait(false)).DisposeAsync().ConfigureAwait(false); }
                // Nobody reads this chunk any more: whatever ended its download (mostly the cancellation) does not matter.
                catch (Exception) { }
            }
        }
    }
}
