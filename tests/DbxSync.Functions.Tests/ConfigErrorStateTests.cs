using System.Net;
using System.Text.Json;
using DbxSync.Functions.Tests.Infrastructure;
using Xunit;

namespace DbxSync.Functions.Tests;

/// <summary>
/// A permanent failure through the real host and the sync-runs queue: the config's error state on the API, one
/// alert on sync-runs-poison for the whole episode, and recovery by itself once the cause is gone.
/// </summary>
[Collection(ApiCollection.Name)]
public sealed class ConfigErrorStateTests(ApiFixture fixture) : ApiTestBase(fixture)
{
    private const string Route = "/api/databricks/sync-configs";
    private const string Columns = "(id BIGINT NOT NULL, text STRING, label STRING)";

    /// <summary>A table export config of <paramref name="table"/> under a new principal; returns its id.</summary>
    private async Task<string> CreateExportAsync(string name, string table)
    {
        var created = await Admin.PostAsync(Route, Json(new
        {
            name, config_type = "table", databricks_path = table, service_principal_id = Id(await RegisterPrincipalAsync()), pk_column = "id", label_column = "label",
        }));
        Assert.True(created.StatusCode == HttpStatusCode.Created, await created.Content.ReadAsStringAsync());
        return Id(await ReadJsonAsync(created));
    }

    private async Task<JsonElement> RunNowAsync(string id)
    {
        var response = await Admin.PostAsync($"{Route}/{id}/run", null);
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        return await WaitForRunAsync(response.Headers.Location!.OriginalString);
    }

    private async Task<JsonElement> ConfigAsync(string id) => await ReadJsonAsync(await Admin.GetAsync($"{Route}/{id}"));

    private async Task<int> PoisonAlertsAsync(string id) => (await PoisonMessagesAsync(id)).Count;

    /// <summary>What sync-runs-poison holds about a config: error-state alerts, and sync-runs messages the host gave up on.</summary>
    private Task<List<JsonElement>> PoisonMessagesAsync(string id) => DbxSync.Testing.PoisonQueue.MessagesAsync(Fixture.StorageConnectionString, id);

    [Fact]
    public async Task A_transient_outage_outlasting_every_delivery_of_its_message_alerts_once_and_poisons_no_message()
    {
        var table = $"main.default.flaky_{Guid.NewGuid():N}"[..32];
        await Fixture.SqlAsync($"CREATE TABLE {table} {Columns}", write: true);
        await Fixture.SqlAsync($"INSERT INTO {table} VALUES (1, 'a', NULL)", write: true);
        var id = await CreateExportAsync("flaky", table);
        var faults = Fixture.Emulator.Handle!.Faults;
        // Every statement on the table fails as a warehouse in trouble fails: INTERNAL_ERROR, transient.
        faults.FailNextStatements(10_000, table["main.default.".Length..], error: DbxSync.Emulator.Faults.InjectedError.Internal);
        try
        {
            var response = await Admin.PostAsync($"{Route}/{id}/run", null);
            Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
            Assert.Equal("transient", (await WaitForRunAsync(response.Headers.Location!.OriginalString)).GetProperty("failure_class").GetString());

            // The host delivers the message maxDequeueCount (3) times; the last delivery's failure opens the episode.
            var deadline = DateTime.UtcNow.AddSeconds(120);
            JsonElement config;
            while ((config = await ConfigAsync(id)).GetProperty("error_state").ValueKind == JsonValueKind.Null)
            {
                Assert.True(DateTime.UtcNow < deadline, "the config did not enter its error state after the message's last delivery");
                await Task.Delay(500);
            }
            Assert.Equal("backoff", config.GetProperty("due_reason").GetString());
            Assert.Contains("INTERNAL_ERROR", config.GetProperty("error_state").GetProperty("reason").GetString());
            // Done with, not thrown: the host moves nothing to sync-runs-poison but the episode's one alert.
            await Task.Delay(TimeSpan.FromSeconds(12));
            var messages = await PoisonMessagesAsync(id);
            Assert.Equal(["config_error_state"], messages.Select(m => m.TryGetProperty("kind", out var k) ? k.GetString() : "(a poisoned sync-runs message)"));
        }
        finally
        {
            faults.Reset();
        }
    }

    [Fact]
    public async Task A_dropped_table_shows_its_error_state_on_the_config_alerts_once_and_recovers_when_recreated()
    {
        var table = $"main.default.gone_{Guid.NewGuid():N}"[..32];
        await Fixture.SqlAsync($"CREATE TABLE {table} {Columns}", write: true);
        await Fixture.SqlAsync($"INSERT INTO {table} VALUES (1, 'a', NULL), (2, 'b', NULL)", write: true);
        var id = await CreateExportAsync("gone", table);
        Assert.Equal("succeeded", (await RunNowAsync(id)).GetProperty("outcome").GetString());
        var healthy = await ConfigAsync(id);
        Assert.Equal("due", healthy.GetProperty("due_reason").GetString());
        Assert.Equal(JsonValueKind.String, healthy.GetProperty("next_due_at").ValueKind);
        Assert.Equal(JsonValueKind.Null, healthy.GetProperty("error_state").ValueKind);

        await Fixture.SqlAsync($"DROP TABLE {table}", write: true);
        for (var probe = 1; probe <= 3; probe++)
        {
            var run = await RunNowAsync(id);
            Assert.Equal("failed", run.GetProperty("outcome").GetString());
            Assert.Equal("permanent", run.GetProperty("failure_class").GetString());
        }
        var broken = await ConfigAsync(id);
        Assert.Equal("backoff", broken.GetProperty("due_reason").GetString());
        Assert.True(broken.GetProperty("next_due_at").GetDateTimeOffset() > DateTimeOffset.UtcNow);
        var error = broken.GetProperty("error_state");
        Assert.Contains("TABLE_OR_VIEW_NOT_FOUND", error.GetProperty("reason").GetString());
        Assert.Equal(3, error.GetProperty("consecutive_failures").GetInt32());
        // Not thrown back to the queue (no redelivery poisons it): exactly the episode's one alert.
        await Task.Delay(TimeSpan.FromSeconds(2));
        Assert.Equal(1, await PoisonAlertsAsync(id));

        await Fixture.SqlAsync($"CREATE TABLE {table} {Columns}", write: true);
        await Fixture.SqlAsync($"INSERT INTO {table} VALUES (3, 'c', NULL)", write: true);
        Assert.Equal("succeeded", (await RunNowAsync(id)).GetProperty("outcome").GetString());
        var recovered = await ConfigAsync(id);
        Assert.Equal(JsonValueKind.Null, recovered.GetProperty("error_state").ValueKind);
        Assert.Equal("due", recovered.GetProperty("due_reason").GetString());
        Assert.Equal(1, await PoisonAlertsAsync(id));
    }
}
