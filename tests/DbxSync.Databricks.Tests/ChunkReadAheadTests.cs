using System.Runtime.CompilerServices;
using System.Text;
using DbxSync.Databricks.Sql;

namespace DbxSync.Databricks.Tests;

/// <summary>The EXTERNAL_LINKS read ahead alone: order, the bytes-in-flight bound, oversized chunks and an early stop.</summary>
public sealed class ChunkReadAheadTests
{
    private sealed class Recorder
    {
        private readonly object _gate = new();
        private long _inFlight;
        public long MaxInFlight { get; private set; }
        public int Started { get; private set; }
        public List<int> Streamed { get; } = [];
        public List<int> Cancelled { get; } = [];
        public Dictionary<int, TaskCompletionSource> Gates { get; } = [];

        public void Start(long bytes) { lock (_gate) { Started++; _inFlight += bytes; MaxInFlight = Math.Max(MaxInFlight, _inFlight); } }
        public void Done(long bytes) { lock (_gate) _inFlight -= bytes; }
    }

    private static ChunkInfo Chunk(int index, long bytes) => new() { ChunkIndex = index, ByteCount = bytes, RowCount = 2 };

    private static byte[] Body(int index) => Encoding.UTF8.GetBytes($"[[\"{index}-a\"],[\"{index}-b\"]]");

    private static async Task<List<string>> ReadAsync(ChunkReadAhead reader, Recorder recorder, IReadOnlyList<ChunkInfo> chunks, int? stopAfter = null)
    {
        var rows = new List<string>();
        await foreach (var row in reader.ReadAsync(CancellationToken.None))
        {
            if (row is null)
            {
                // A chunk is read: its bytes leave the budget.
                var chunk = chunks[rows.Count / 2 - 1];
                if (!recorder.Streamed.Contains(chunk.ChunkIndex!.Value)) recorder.Done(chunk.ByteCount!.Value);
                continue;
            }
            rows.Add(row[0]!);
            if (rows.Count == stopAfter) break;
        }
        return rows;
    }

    private static ChunkReadAhead Reader(IReadOnlyList<ChunkInfo> chunks, Recorder recorder, int parallel, long budget) => new(
        chunks, [], parallel, budget,
        async (chunk, _, ct) =>
        {
            recorder.Start(chunk.ByteCount!.Value);
            try
            {
                await Task.Delay(TimeSpan.FromMilliseconds(20 * (5 - chunk.ChunkIndex!.Value % 5)), ct); // later chunks finish first
            }
            catch (OperationCanceledException)
            {
                lock (recorder) recorder.Cancelled.Add(chunk.ChunkIndex!.Value);
                throw;
            }
            return new MemoryStream(Body(chunk.ChunkIndex!.Value));
        },
        index => Streamed(index, recorder));

    private static async IAsyncEnumerable<string?[]> Streamed(int index, Recorder recorder, [EnumeratorCancellation] CancellationToken ct = default)
    {
        recorder.Streamed.Add(index);
        await Task.Yield();
        yield return [$"{index}-a"];
        yield return [$"{index}-b"];
    }

    [Fact]
    public async Task Chunks_download_in_parallel_within_the_byte_budget_and_rows_keep_their_order()
    {
        var chunks = new[] { 10L, 10, 10, 30, 10, 5, 5 }.Select((b, i) => Chunk(i, b)).ToList();
        var recorder = new Recorder();

        var rows = await ReadAsync(Reader(chunks, recorder, parallel: 8, budget: 25), recorder, chunks);

        Assert.Equal(chunks.SelectMany(c => new[] { $"{c.ChunkIndex}-a", $"{c.ChunkIndex}-b" }), rows);
        Assert.True(recorder.MaxInFlight <= 25, $"{recorder.MaxInFlight} bytes in flight");
        Assert.True(recorder.MaxInFlight >= 20, "at least two chunks downloaded at once");
        Assert.Equal([3], recorder.Streamed); // bigger than the whole budget: streamed on its own
        Assert.Equal(6, recorder.Started);
    }

    [Fact]
    public async Task The_chunk_count_bound_applies_too()
    {
        var chunks = Enumerable.Range(0, 10).Select(i => Chunk(i, 1)).ToList();
        var recorder = new Recorder();
        var rows = await ReadAsync(Reader(chunks, recorder, parallel: 3, budget: 1000), recorder, chunks);
        Assert.Equal(20, rows.Count);
        Assert.True(recorder.MaxInFlight <= 3, $"{recorder.MaxInFlight} chunks at once");
    }

    [Fact]
    public async Task A_reader_that_stops_early_cancels_the_downloads_ahead()
    {
        var chunks = Enumerable.Range(0, 6).Select(i => Chunk(i, 10)).ToList();
        var recorder = new Recorder();
        var reader = new ChunkReadAhead(chunks, [], 4, 100, async (chunk, _, ct) =>
        {
            recorder.Start(chunk.ByteCount!.Value);
            try
            {
                // Only the first chunk arrives; the others are still downloading when the reader stops.
                if (chunk.ChunkIndex > 0) await Task.Delay(Timeout.Infinite, ct);
            }
            catch (OperationCanceledException)
            {
                lock (recorder) recorder.Cancelled.Add(chunk.ChunkIndex!.Value);
                throw;
            }
            return new MemoryStream(Body(chunk.ChunkIndex!.Value));
        }, index => Streamed(index, recorder));
        var rows = await ReadAsync(reader, recorder, chunks, stopAfter: 1);
        Assert.Equal(["0-a"], rows);
        Assert.Equal(4, recorder.Started);
        Assert.Equal([1, 2, 3], recorder.Cancelled.Order());
    }
}
