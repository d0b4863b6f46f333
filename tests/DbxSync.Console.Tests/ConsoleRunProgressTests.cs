using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Playwright;
using Xunit;
using static Microsoft.Playwright.Assertions;

namespace DbxSync.Console.Tests;

/// <summary>
/// Issue 24: the console's run view shows a run's live progress as ./dbxsync run does (rows of the total, bytes,
/// rate, ETA), polling the run record while it runs; here for a run the page did not start (queued through the API),
/// an export of 100k rows slowed by the emulator's chunk delay.
/// </summary>
[Collection(ConsoleCollection.Name)]
public sealed class ConsoleRunProgressTests(ConsoleStack stack)
{
    private const int Rows = 100_000;

    [Fact]
    public async Task The_run_view_follows_a_running_export_with_counts_rate_and_ETA_until_it_ends()
    {
        var name = $"progress_{Guid.NewGuid():N}"[..20];
        var table = $"{ConsoleStack.Catalog}.{ConsoleStack.Schema}.{name}";
        await stack.ExecuteAsync($"CREATE TABLE {table} (id BIGINT NOT NULL, text STRING, label STRING)");
        await stack.ExecuteAsync($"INSERT INTO {table} SELECT id, concat('text of row ', id), CAST(NULL AS STRING) FROM range(1, {Rows + 1})");
        var principal = await IdOfAsync(await stack.Admin.PostAsJsonAsync("/api/databricks/service-principals",
            new { workspace_url = stack.Emulator.Host, client_id = stack.Emulator.ClientId, client_secret = stack.Emulator.ClientSecret, name = "progress" }));
        var config = await IdOfAsync(await stack.Admin.PostAsJsonAsync("/api/databricks/sync-configs",
            new { name = "progress", config_type = "table", databricks_path = table, service_principal_id = principal, pk_column = "id", label_column = "label", enabled = false }));
        var faults = stack.Emulator.Handle!.Faults;
        faults.SlowStatementMatch = name;
        faults.ChunkDelay = TimeSpan.FromMilliseconds(500);
        try
        {
            var page = await stack.NewPageAsync();
            await page.GotoAsync(stack.ConsoleUrl);
            await page.GetByLabel("API token", new() { Exact = true }).FillAsync(ConsoleStack.AdminToken);
            await page.Keyboard.PressAsync("Enter");
            await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Overview" })).ToBeVisibleAsync();

            Assert.Equal(HttpStatusCode.Accepted, (await stack.Admin.PostAsync($"/api/databricks/sync-configs/{config}/run", null)).StatusCode);
            await page.GotoAsync($"{stack.ConsoleUrl}#/syncs/{config}");
            var stage = page.Locator("#run-stage");
            // While it runs: the row count of the known total, bytes, a rate and an ETA, and a bar partly filled.
            await Expect(stage).ToContainTextAsync(new System.Text.RegularExpressions.Regex(@"export [\d,]+/100,000 rows · [\d.]+ [KM]B · [\d,]+ rows/s · ETA \d+"), new() { Timeout = 60_000 });
            var value = await page.Locator("#run-progress").EvaluateAsync<double>("b => b.position");
            Assert.InRange(value, 0.0, 1.0);
            await stack.ScreenshotAsync(page, "run-progress");
            await Expect(stage).ToContainTextAsync("Finished: succeeded", new() { Timeout = 90_000 });
            await Expect(page.Locator("#runs tbody tr").First).ToContainTextAsync("100,000");
        }
        finally
        {
            faults.ChunkDelay = TimeSpan.Zero;
            faults.SlowStatementMatch = null;
            await stack.Admin.DeleteAsync($"/api/databricks/sync-configs/{config}");
            await stack.Admin.DeleteAsync($"/api/databricks/service-principals/{principal}");
        }
    }

    private static async Task<string> IdOfAsync(HttpResponseMessage response)
    {
        Assert.True(response.StatusCode == HttpStatusCode.Created, await response.Content.ReadAsStringAsync());
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;
    }
}
