using DbxSync.Azure.Adapters;
using DbxSync.Core.Errors;
using DbxSync.Core.Ports;
using Xunit;

namespace DbxSync.Azure.Tests.Storage;

public class TableStateStoreTests
{
    private static async Task<(TableStateStore Store, string Table)> NewTableAsync()
    {
        var store = new TableStateStore(AzuriteClients.Tables);
        var table = AzuriteClients.TableName();
        await store.EnsureTableAsync(table);
        return (store, table);
    }

    [Theory]
    [InlineData("plain", "row")]
    [InlineData("o'brien", "it''s 'quoted'")]
    [InlineData("with space", "a+b%20c%")]
    [InlineData("ünïcødé €", "日本語 🙂")]
    [InlineData("", "")]
    public async Task Every_edm_type_round_trips_with_keys_needing_escaping(string partitionKey, string rowKey)
    {
        var (store, table) = await NewTableAsync();
        var when = new DateTimeOffset(2026, 1, 2, 3, 4, 5, TimeSpan.FromHours(2)).AddTicks(1234567);
        var id = Guid.NewGuid();
        var inserted = await store.InsertAsync(table, new StateEntity
        {
            PartitionKey = partitionKey,
            RowKey = rowKey,
            Properties =
            {
                ["Text"] = "hello 'world' ü", ["Int32"] = 42, ["Int64"] = 9_007_199_254_740_993L, ["Flag"] = true, ["When"] = when,
                ["Id"] = id, ["Bytes"] = new byte[] { 0, 1, 2, 254, 255 }, ["WholeDouble"] = 1.0, ["Double"] = 3.25,
            },
        });
        // A neighbour in another partition must not leak into the partition query.
        await store.InsertAsync(table, new StateEntity { PartitionKey = partitionKey + "x", RowKey = rowKey });

        var read = (await store.GetAsync(table, partitionKey, rowKey))!;
        var queried = await store.QueryAsync(table, partitionKey).SingleAsync();
        foreach (var got in new[] { read, queried })
        {
            Assert.Equal((partitionKey, rowKey), (got.PartitionKey, got.RowKey));
            Assert.Equal(inserted.ETag, got.ETag);
            Assert.Equal("hello 'world' ü", Assert.IsType<string>(got.Properties["Text"]));
            Assert.Equal(42, Assert.IsType<int>(got.Properties["Int32"]));
            Assert.Equal(9_007_199_254_740_993L, Assert.IsType<long>(got.Properties["Int64"]));
            Assert.True(Assert.IsType<bool>(got.Properties["Flag"]));
            var gotWhen = Assert.IsType<DateTimeOffset>(got.Properties["When"]);
            Assert.Equal(when, gotWhen);
            Assert.Equal(id, Assert.IsType<Guid>(got.Properties["Id"]));
            Assert.Equal(new byte[] { 0, 1, 2, 254, 255 }, Assert.IsType<byte[]>(got.Properties["Bytes"]));
            Assert.Equal(1.0, Assert.IsType<double>(got.Properties["WholeDouble"]));
            Assert.Equal(3.25, Assert.IsType<double>(got.Properties["Double"]));
            Assert.False(got.Properties.ContainsKey("Timestamp"));
        }
    }

    [Fact]
    public async Task Inserts_conflict_and_stale_etags_fail_on_replace_and_delete()
    {
        var (store, table) = await NewTableAsync();
        Assert.True((await store.CheckHealthAsync()).IsHealthy);
        var inserted = await store.InsertAsync(table, new StateEntity { PartitionKey = "cfg", RowKey = "checkpoint", Properties = { ["Version"] = 3L } });
        var staleETag = inserted.ETag;
        await Assert.ThrowsAsync<ConflictException>(() => store.InsertAsync(table, new StateEntity { PartitionKey = "cfg", RowKey = "checkpoint" }));

        var read = (await store.GetAsync(table, "cfg", "checkpoint"))!;
        read.Properties["Version"] = 4L;
        var updated = await store.UpsertAsync(table, read);
        Assert.NotEqual(staleETag, updated.ETag);
        var stale = new StateEntity { PartitionKey = "cfg", RowKey = "checkpoint", ETag = staleETag, Properties = { ["Version"] = 5L } };
        await Assert.ThrowsAsync<ConcurrencyException>(() => store.UpsertAsync(table, stale));
        await Assert.ThrowsAsync<ConcurrencyException>(() => store.DeleteAsync(table, "cfg", "checkpoint", staleETag));
        Assert.Equal(4L, (await store.GetAsync(table, "cfg", "checkpoint"))!.Properties["Version"]);

        await store.DeleteAsync(table, "cfg", "checkpoint", updated.ETag);
        await store.DeleteAsync(table, "cfg", "checkpoint");
        Assert.Null(await store.GetAsync(table, "cfg", "checkpoint"));
        // Replacing with an ETag an entity that was deleted meanwhile is a lost update too.
        await Assert.ThrowsAsync<ConcurrencyException>(() => store.UpsertAsync(table, new StateEntity { PartitionKey = "cfg", RowKey = "checkpoint", ETag = updated.ETag }));
        await Assert.ThrowsAsync<ConcurrencyException>(() => store.DeleteAsync(table, "cfg", "checkpoint", updated.ETag));
    }

    [Fact]
    public async Task A_batch_upserts_up_to_100_rows_of_one_partition_in_one_transaction_and_refuses_more()
    {
        var (store, table) = await NewTableAsync();
        await store.InsertAsync(table, new StateEntity { PartitionKey = "cfg", RowKey = "f|000", Properties = { ["Size"] = 1L } });
        var rows = Enumerable.Range(0, IStateStore.MaxBatch)
            .Select(i => new StateEntity { PartitionKey = "cfg", RowKey = $"f|{i:D3}", Properties = { ["Size"] = 10L + i } }).ToList();

        await store.UpsertBatchAsync(table, rows);

        var stored = await store.QueryAsync(table, "cfg").ToListAsync();
        Assert.Equal(IStateStore.MaxBatch, stored.Count);
        Assert.Equal(10L, stored[0].Properties["Size"]); // the existing row was replaced
        Assert.Equal(109L, stored[^1].Properties["Size"]);
        var tooMany = rows.Append(new StateEntity { PartitionKey = "cfg", RowKey = "f|100" }).ToList();
        await Assert.ThrowsAsync<ArgumentException>(() => store.UpsertBatchAsync(table, tooMany));
        var twoPartitions = new List<StateEntity> { rows[0], new() { PartitionKey = "other", RowKey = "f|000" } };
        await Assert.ThrowsAsync<ArgumentException>(() => store.UpsertBatchAsync(table, twoPartitions));
        Assert.Empty(await store.QueryAsync(table, "other").ToListAsync());
    }

    [Fact]
    public async Task Pages_follow_opaque_continuation_tokens()
    {
        var (store, table) = await NewTableAsync();
        for (var i = 0; i < 7; i++)
            await store.UpsertAsync(table, new StateEntity { PartitionKey = "runs", RowKey = $"r{i}" });
        await store.UpsertAsync(table, new StateEntity { PartitionKey = "other", RowKey = "x" });

        var rows = new List<string>();
        string? token = null;
        var pages = 0;
        do
        {
            var page = await store.QueryPageAsync(table, "runs", 3, token);
            Assert.True(page.Items.Count <= 3);
            rows.AddRange(page.Items.Select(e => e.RowKey));
            token = page.ContinuationToken;
            pages++;
        }
        while (token is not null);
        Assert.Equal(Enumerable.Range(0, 7).Select(i => $"r{i}"), rows);
        Assert.True(pages >= 3);
        Assert.Equal(8, await store.QueryAsync(table, null).CountAsync());
    }

    [Fact]
    public async Task Unreachable_storage_is_a_transient_storage_exception_and_an_unhealthy_store()
    {
        var options = new global::Azure.Data.Tables.TableClientOptions();
        options.Retry.MaxRetries = 1;
        options.Retry.Delay = TimeSpan.FromMilliseconds(10);
        var unreachable = new TableStateStore(new global::Azure.Data.Tables.TableServiceClient(
            "DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==;TableEndpoint=http://127.0.0.1:1/devstoreaccount1;", options));

        var error = await Assert.ThrowsAsync<StorageException>(() => unreachable.GetAsync("t", "p", "r"));
        Assert.True(error.IsTransient);
        Assert.False((await unreachable.CheckHealthAsync()).IsHealthy);
    }
}

/// <summary>QueryRowsAsync: several rows of one partition in one query, with ETags a conditional write accepts.</summary>
public class TableStateStoreRowsQueryTests
{
    [Fact]
    public async Task Rows_of_one_partition_come_in_one_query_with_etags_a_conditional_write_accepts()
    {
        var store = new TableStateStore(AzuriteClients.Tables);
        var table = AzuriteClients.TableName();
        await store.EnsureTableAsync(table);
        foreach (var (pk, rk) in new[] { ("c1", "source"), ("c1", "checkpoint"), ("c1", "f|x"), ("c2", "source"), ("c1", "it's") })
            await store.InsertAsync(table, new StateEntity { PartitionKey = pk, RowKey = rk, Properties = { ["V"] = 1 } });

        var rows = new List<StateEntity>();
        await foreach (var e in store.QueryRowsAsync(table, "c1", ["source", "checkpoint", "it's", "missing"])) rows.Add(e);

        Assert.Equal(["checkpoint", "it's", "source"], rows.Select(r => r.RowKey).Order(StringComparer.Ordinal));
        Assert.All(rows, r => Assert.Equal("c1", r.PartitionKey));
        var checkpoint = rows.Single(r => r.RowKey == "checkpoint");
        checkpoint.Properties["V"] = 2;
        await store.UpsertAsync(table, checkpoint);
        Assert.Equal(2, (await store.GetAsync(table, "c1", "checkpoint"))!.Properties["V"]);
    }
}
