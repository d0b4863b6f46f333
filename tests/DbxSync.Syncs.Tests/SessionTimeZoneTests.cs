using System.Net.Http.Headers;
using System.Net.Http.Json;
using DbxSync.Core.Runs;
using DbxSync.Core.Syncs;
using DbxSync.Syncs.Tests.Infrastructure;

namespace DbxSync.Syncs.Tests;

/// <summary>
/// Issue 18: export and import under different session time zones. TIMEZONE is a workspace-wide SQL configuration
/// parameter (PUT /api/2.0/sql/config/warehouses), so these tests run alone.
/// </summary>
[Collection(SerialCollection.Name)]
public sealed class SessionTimeZoneTests
{
    private static async Task SetTimeZoneAsync(SyncStack stack, string? zone)
    {
        using var http = new HttpClient { BaseAddress = new Uri(stack.Emulator.Host + "/") };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", stack.Emulator.Token);
        object[] pairs = zone is null ? [] : [new { key = "TIMEZONE", value = zone }];
        using var response = await http.PutAsJsonAsync("api/2.0/sql/config/warehouses", new { sql_configuration_parameters = new { configuration_pairs = pairs } });
        response.EnsureSuccessStatusCode();
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Labels_exported_in_one_session_time_zone_apply_when_the_import_runs_in_another(bool useStaging)
    {
        await using var stack = await SyncStack.CreateAsync();
        var table = $"{SyncStack.Catalog}.{SyncStack.Schema}.{SyncStack.UniqueName("events")}";
        await stack.SqlAsync($"CREATE TABLE {table} (id BIGINT NOT NULL, seen_at TIMESTAMP, text STRING, label STRING)");
        await stack.SqlAsync($"INSERT INTO {table} VALUES (1, CAST('2024-03-10T01:30:00Z' AS TIMESTAMP), 'a', NULL), (2, CAST('2024-07-01T23:59:59.123456Z' AS TIMESTAMP), 'b', NULL), (3, NULL, 'c', NULL)");
        var export = await stack.CreateTableConfigAsync(table);
        var import = await stack.CreateImportConfigAsync(table, useStaging);
        try
        {
            await SetTimeZoneAsync(stack, "UTC");
            var file = await ExportFiles.ExportOnceAsync(stack, export.Id);
            var utcText = (await stack.QueryAsync($"SELECT CAST(seen_at AS STRING) FROM {table} WHERE id = 1"))[0][0];

            await SetTimeZoneAsync(stack, "America/Los_Angeles");
            // The emulator renders an instant in the session time zone, as Databricks does: a marker over the cast
            // text (version 1) would differ now, although no value changed.
            Assert.Equal("2024-03-09 17:30:00", (await stack.QueryAsync($"SELECT CAST(seen_at AS STRING) FROM {table} WHERE id = 1"))[0][0]);
            Assert.Equal("2024-03-10 01:30:00", utcText);
            var blob = $"{import.Id}/elsewhere.csv";
            await stack.UploadAsync(BlobContainers.Labeled, blob, ExportFiles.Label(file));
            var run = await stack.Dispatcher.HandleAsync(BlobContainers.Labeled, blob);

            Assert.True(run!.Outcome == RunOutcome.Succeeded, run.Error);
            Assert.Equal(3, run.UpdatedRows);
            Assert.All(await stack.LabelsAsync(table), kv => Assert.Equal(ExportFiles.LabelFor(kv.Key), kv.Value));
            Assert.Contains(RowMarker.Column, file.Header);
        }
        finally
        {
            await SetTimeZoneAsync(stack, null);
        }
    }
}
