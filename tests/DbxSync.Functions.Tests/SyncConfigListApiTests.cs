using System.Net;
using System.Text.Json;
using DbxSync.Azure.Adapters;
using DbxSync.Core.Runs;
using DbxSync.Core.State;
using DbxSync.Functions.Tests.Infrastructure;
using Xunit;

namespace DbxSync.Functions.Tests;

/// <summary>
/// The list pages' one request: every config with status, error state, next due, last run and stored export lag,
/// natural name order and failures first across pages, filters, and an opaque page token. Each test lists only its
/// own principal's configs (the API host is shared).
/// </summary>
[Collection(ApiCollection.Name)]
public sealed class SyncConfigListApiTests(ApiFixture fixture) : ApiTestBase(fixture)
{
    private const string Route = "/api/databricks/sync-configs";

    private async Task<(string Principal, Dictionary<string, string> Ids)> SeedAsync(params string[] names)
    {
        var principal = Id(await RegisterPrincipalAsync("list"));
        var ids = new Dictionary<string, string>();
        foreach (var name in names)
        {
            var response = await Admin.PostAsync(Route, Json(new
            {
                name, config_type = "table", databricks_path = "main.default.items", service_principal_id = principal, pk_column = "id", label_column = "label",
                enabled = name != "so2",
            }));
            Assert.True(response.StatusCode == HttpStatusCode.Created, await response.Content.ReadAsStringAsync());
            ids[name] = Id(await ReadJsonAsync(response));
        }
        return (principal, ids);
    }

    private async Task<List<JsonElement>> AllPagesAsync(string query, int pageSize)
    {
        var items = new List<JsonElement>();
        string? token = null;
        var pages = 0;
        do
        {
            var page = await ReadJsonAsync(await Admin.GetAsync($"{Route}?{query}&page_size={pageSize}" + (token is null ? "" : "&page_token=" + Uri.EscapeDataString(token))));
            items.AddRange(page.GetProperty("items").EnumerateArray());
            token = page.GetProperty("next_page_token").GetString();
            Assert.True(++pages < 50);
        } while (token is not null);
        return items;
    }

    private static List<string> Names(IEnumerable<JsonElement> items) => items.Select(i => i.GetProperty("name").GetString()!).ToList();

    [Fact]
    public async Task Pages_follow_natural_name_order_and_filters_apply_before_paging()
    {
        var (principal, _) = await SeedAsync("so10", "so1", "so11", "so2", "so0");
        var all = await AllPagesAsync($"service_principal_id={principal}", pageSize: 2);
        Assert.Equal(["so0", "so1", "so2", "so10", "so11"], Names(all));
        var first = await ReadJsonAsync(await Admin.GetAsync($"{Route}?service_principal_id={principal}&page_size=2"));
        Assert.Equal(5, first.GetProperty("total").GetInt32());

        Assert.Equal(["so1", "so10", "so11"], Names(await AllPagesAsync($"service_principal_id={principal}&name=SO1", pageSize: 2)));
        Assert.Equal(["so2"], Names(await AllPagesAsync($"service_principal_id={principal}&status=paused", pageSize: 10)));
        Assert.Equal(4, (await AllPagesAsync($"service_principal_id={principal}&status=active&config_type=table", pageSize: 3)).Count);
    }

    [Theory]
    [InlineData("page_size=0", "page_size")]
    [InlineData("page_size=5001", "page_size")]
    [InlineData("page_size=x", "page_size")]
    [InlineData("page_token=bm90LWEtdG9rZW4", "page_token")]
    [InlineData("page_token=%25%25", "page_token")]
    [InlineData("status=broken", "status")]
    [InlineData("order=random", "order")]
    [InlineData("config_type=nope", "config_type")]
    public async Task Bad_list_options_are_400_naming_the_parameter(string query, string field)
        => await AssertProblemAsync(await Admin.GetAsync($"{Route}?{query}"), HttpStatusCode.BadRequest, "validation-error", field);

    [Fact]
    public async Task Last_run_and_export_lag_come_from_state_and_failures_sort_first_across_pages()
    {
        var (principal, ids) = await SeedAsync("so0", "so1", "so2", "so3", "so4");
        // What the runner writes when runs finish (SyncRunRepository.SaveAsync keeps each config's last run in its state).
        var runs = new SyncRunRepository(new TableStateStore(new global::Azure.Data.Tables.TableServiceClient(Fixture.StorageConnectionString)), TimeProvider.System);
        var now = DateTimeOffset.UtcNow;
        await runs.SaveAsync(Run(ids["so1"], RunOutcome.Succeeded, now.AddMinutes(-5), toVersion: 7, rows: 120));
        await runs.SaveAsync(Run(ids["so1"], RunOutcome.Failed, now.AddMinutes(-1), toVersion: 9, error: "warehouse gone"));
        await runs.SaveAsync(Run(ids["so4"], RunOutcome.NoChange, now, toVersion: 3));

        var ordered = await AllPagesAsync($"service_principal_id={principal}&order=failures_first", pageSize: 2);
        Assert.Equal(["so1", "so0", "so2", "so3", "so4"], Names(ordered));
        // The summary counts every match, not only the page: one failing (so1), one paused (so2).
        var counts = (await ReadJsonAsync(await Admin.GetAsync($"{Route}?service_principal_id={principal}&page_size=1"))).GetProperty("counts");
        Assert.Equal(1, counts.GetProperty("failing").GetInt32());
        Assert.Equal(1, counts.GetProperty("paused").GetInt32());
        Assert.Equal(["so1"], Names(await AllPagesAsync($"service_principal_id={principal}&status=failing", pageSize: 2)));

        var failed = ordered[0];
        Assert.Equal("failed", failed.GetProperty("last_run").GetProperty("outcome").GetString());
        Assert.Equal("warehouse gone", failed.GetProperty("last_run").GetProperty("error").GetString());
        // The failed run saw version 9; the export stays at 7 (the last run that did not fail): 2 behind, with the probe's time.
        var lag = failed.GetProperty("export_lag");
        Assert.Equal(9, lag.GetProperty("table_version").GetInt64());
        Assert.Equal(7, lag.GetProperty("exported_version").GetInt64());
        Assert.Equal(2, lag.GetProperty("versions_behind").GetInt64());
        Assert.Equal(JsonValueKind.String, lag.GetProperty("probed_at").ValueKind);

        var upToDate = ordered[4];
        Assert.Equal("no_change", upToDate.GetProperty("last_run").GetProperty("outcome").GetString());
        Assert.Equal(0, upToDate.GetProperty("export_lag").GetProperty("versions_behind").GetInt64());
        var never = ordered[1];
        Assert.Equal(JsonValueKind.Null, never.GetProperty("last_run").ValueKind);
        Assert.Equal(JsonValueKind.Null, never.GetProperty("export_lag").ValueKind);
    }

    private static SyncRun Run(string configId, RunOutcome outcome, DateTimeOffset finished, long? toVersion, long rows = 0, string? error = null) => new()
    {
        ConfigId = configId, RunId = SyncRunRepository.NewRunId(finished), Trigger = RunTrigger.Timer, StartedAt = finished.AddSeconds(-2),
        FinishedAt = finished, Outcome = outcome, ToVersion = toVersion, Rows = rows, Error = error,
    };
}
