using System.Text;
using System.Text.Json;
using DbxSync.Databricks.Sql;

namespace DbxSync.Databricks.Tests;

public sealed class PooledChunkBufferTests
{
    [Theory]
    [InlineData(0, 0)]
    [InlineData(1, 1)]
    [InlineData(200_017, 200_017)]
    [InlineData(200_017, 1000)] // longer than the manifest said: the array grows
    [InlineData(200_017, 0)]
    public async Task Gives_back_exactly_the_bytes_it_read_whatever_the_announced_size(int size, long announced)
    {
        var bytes = new byte[size];
        new Random(size).NextBytes(bytes);
        // A source that hands out odd-sized reads, as a network stream does.
        await using var buffer = await PooledChunkBuffer.ReadAllAsync(new TrickleStream(bytes, 1000), announced, CancellationToken.None);

        Assert.Equal(size, buffer.Length);
        var copy = new MemoryStream();
        var read = new byte[7001];
        int n;
        while ((n = await buffer.ReadAsync(read)) > 0) copy.Write(read, 0, n);
        Assert.Equal(bytes, copy.ToArray());
        Assert.Equal(0, await buffer.ReadAsync(read));
    }

    [Fact]
    public async Task A_json_chunk_parses_from_it_row_by_row()
    {
        var rows = Enumerable.Range(0, 20_000).Select(i => new[] { i.ToString(System.Globalization.CultureInfo.InvariantCulture), $"value {i}", null }).ToArray();
        var json = JsonSerializer.SerializeToUtf8Bytes(rows);
        await using var buffer = await PooledChunkBuffer.ReadAllAsync(new MemoryStream(json), json.Length, CancellationToken.None);

        var parsed = new List<string?[]>();
        await foreach (var row in JsonSerializer.DeserializeAsyncEnumerable<string?[]>(buffer))
            parsed.Add(row!);

        Assert.Equal(rows.Length, parsed.Count);
        Assert.Equal(["19999", "value 19999", null], parsed[^1]);
    }

    private sealed class TrickleStream(byte[] data, int maxRead) : MemoryStream(data)
    {
        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            base.ReadAsync(buffer[..Math.Min(buffer.Length, maxRead)], cancellationToken);
    }
}
