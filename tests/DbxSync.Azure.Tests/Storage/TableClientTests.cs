using Azure;
using DbxSync.Azure.Storage;
using DbxSync.Azure.Storage.Tables;
using Xunit;

namespace DbxSync.Azure.Tests.Storage;

public class TableClientTests
{
    private static async Task<TableClient> NewTableAsync()
    {
        var table = AzuriteClients.Factory.Tables.GetTableClient(AzuriteClients.TableName());
        Assert.True((await table.CreateIfNotExistsAsync()).Value);
        Assert.False((await table.CreateIfNotExistsAsync()).Value);
        return table;
    }

    [Theory]
    [InlineData("plain", "row")]
    [InlineData("o'brien", "it''s 'quoted'")]
    [InlineData("with space", "a+b%20c%")]
    [InlineData("ünïcødé €", "日本語 🙂")]
    [InlineData("", "")]
    public async Task Every_edm_type_round_trips_with_keys_needing_escaping(string partitionKey, string rowKey)
    {
        var table = await NewTableAsync();
        var when = new DateTimeOffset(2026, 1, 2, 3, 4, 5, TimeSpan.FromHours(2)).AddTicks(1234567);
        var id = Guid.NewGuid();
        var entity = new TableEntity(partitionKey, rowKey)
        {
            ["Text"] = "hello 'world' ü",
            ["Int32"] = 42,
            ["Int64"] = 9_007_199_254_740_993L,
            ["Flag"] = true,
            ["When"] = when,
            ["Id"] = id,
            ["Bytes"] = new byte[] { 0, 1, 2, 254, 255 },
            ["WholeDouble"] = 1.0,
            ["Double"] = 3.25,
            ["Nothing"] = null,
        };
        await table.AddEntityAsync(entity);

        var read = (await table.GetEntityAsync(partitionKey, rowKey)).Value;
        var queried = await table.QueryAsync(TableFilter.And(TableFilter.Equal("PartitionKey", partitionKey), TableFilter.Equal("RowKey", rowKey))).SingleAsync();

        foreach (var got in new[] { read, queried })
        {
            Assert.Equal(partitionKey, got.PartitionKey);
            Assert.Equal(rowKey, got.RowKey);
            Assert.Equal(entity.ETag, got.ETag);
            Assert.NotNull(got.Timestamp);
            Assert.Equal("hello 'world' ü", Assert.IsType<string>(got["Text"]));
            Assert.Equal(42, Assert.IsType<int>(got["Int32"]));
            Assert.Equal(9_007_199_254_740_993L, Assert.IsType<long>(got["Int64"]));
            Assert.True(Assert.IsType<bool>(got["Flag"]));
            var gotWhen = Assert.IsType<DateTimeOffset>(got["When"]);
            Assert.Equal(when, gotWhen);
            Assert.Equal(TimeSpan.Zero, gotWhen.Offset);
            Assert.Equal(id, Assert.IsType<Guid>(got["Id"]));
            Assert.Equal(new byte[] { 0, 1, 2, 254, 255 }, Assert.IsType<byte[]>(got["Bytes"]));
            Assert.Equal(1.0, Assert.IsType<double>(got["WholeDouble"]));
            Assert.Equal(3.25, Assert.IsType<double>(got["Double"]));
            Assert.False(got.Properties.ContainsKey("Nothing"));
        }
    }

    [Fact]
    public async Task Insert_conflicts_and_stale_etags_are_typed()
    {
        var table = await NewTableAsync();
        var entity = new TableEntity("p", "r") { ["Count"] = 1 };
        await table.AddEntityAsync(entity);
        var firstETag = entity.ETag;

        var duplicate = await Assert.ThrowsAsync<StorageRequestFailedException>(() => table.AddEntityAsync(new TableEntity("p", "r")));
        Assert.Equal(409, duplicate.Status);
        Assert.Equal("EntityAlreadyExists", duplicate.ErrorCode);
        Assert.True(duplicate.IsAlreadyExists);

        entity["Count"] = 2;
        await table.UpdateEntityAsync(entity, firstETag, TableUpdateMode.Replace);
        Assert.NotEqual(firstETag, entity.ETag);

        entity["Count"] = 3;
        var stale = await Assert.ThrowsAsync<StorageRequestFailedException>(() => table.UpdateEntityAsync(entity, firstETag, TableUpdateMode.Merge));
        Assert.Equal(412, stale.Status);
        Assert.True(stale.IsConditionFailed);
        var staleDelete = await Assert.ThrowsAsync<StorageRequestFailedException>(() => table.DeleteEntityAsync("p", "r", firstETag));
        Assert.True(staleDelete.IsConditionFailed);

        Assert.Equal(2, (await table.GetEntityAsync("p", "r")).Value["Count"]);
        await table.DeleteEntityAsync("p", "r");
        Assert.Null(await table.GetEntityIfExistsAsync("p", "r"));
    }

    [Fact]
    public async Task Merge_keeps_unsent_properties_and_replace_drops_them()
    {
        var table = await NewTableAsync();
        await table.UpsertEntityAsync(new TableEntity("p", "r") { ["A"] = "a", ["B"] = "b" }, TableUpdateMode.Replace);
        await table.UpsertEntityAsync(new TableEntity("p", "r") { ["B"] = "b2" }, TableUpdateMode.Merge);
        var merged = (await table.GetEntityAsync("p", "r")).Value;
        Assert.Equal("a", merged["A"]);
        Assert.Equal("b2", merged["B"]);

        await table.UpdateEntityAsync(new TableEntity("p", "r") { ["C"] = "c" }, ETag.All, TableUpdateMode.Replace);
        var replaced = (await table.GetEntityAsync("p", "r", ["C", "A"])).Value;
        Assert.Equal("c", replaced["C"]);
        Assert.Null(replaced["A"]);
    }

    [Fact]
    public async Task Query_pages_follow_continuations_with_select_and_top()
    {
        var table = await NewTableAsync();
        await Parallel.ForEachAsync(Enumerable.Range(0, 25), new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (i, ct) =>
            await table.AddEntityAsync(new TableEntity(i % 2 == 0 ? "even" : "odd", i.ToString("D3")) { ["N"] = i, ["Extra"] = "x" }, ct));

        var pages = 0;
        var rows = new List<TableEntity>();
        TableContinuation? continuation = null;
        do
        {
            var page = (await table.QueryPageAsync(null, ["N"], 4, continuation)).Value;
            rows.AddRange(page.Entities);
            continuation = page.Continuation;
            pages++;
        }
        while (continuation is not null);

        Assert.True(pages >= 7, $"expected at least 7 pages of 4, got {pages}");
        Assert.Equal(25, rows.Count);
        Assert.All(rows, r => Assert.False(r.Properties.ContainsKey("Extra")));
        var even = await table.QueryAsync(TableFilter.Equal("PartitionKey", "even"), maxPerPage: 5).Select(e => (int)e["N"]!).ToListAsync();
        Assert.Equal(Enumerable.Range(0, 25).Where(i => i % 2 == 0), even);
    }

    [Fact]
    public async Task Invalid_keys_fail_before_any_request()
    {
        var table = AzuriteClients.Factory.Tables.GetTableClient("neverCreated");
        var error = await Assert.ThrowsAsync<ArgumentException>(() => table.AddEntityAsync(new TableEntity("a/b", "r")));
        Assert.Contains("must not contain", error.Message);
        await Assert.ThrowsAsync<ArgumentException>(() => table.GetEntityAsync("p", "what?"));
    }
}
