using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Playwright;
using Xunit;
using static Microsoft.Playwright.Assertions;

namespace DbxSync.Console.Tests;

/// <summary>
/// The overview and syncs pages of 1,000 configs (seeded through the API), in a real browser: each draws its first
/// page of rows with at most 3 API requests (the list endpoint returns what a list shows, from state, with counts over
/// every config) and sends no statement to the warehouse; filters and the next page are one request each. Render
/// times are measured by the bench (bench/results/console.md), not here.
/// </summary>
[Collection(ConsoleCollection.Name)]
public sealed class ConsoleScaleTests(ConsoleStack stack)
{
    private const int Configs = 1000;
    /// <summary>Rows a list page draws (pager.js PAGE_SIZE).</summary>
    private const int PageSize = 100;

    [Fact]
    public async Task Overview_and_syncs_of_1000_configs_take_at_most_3_requests_and_no_warehouse_statement()
    {
        var (principal, ids) = await SeedAsync();
        try
        {
            // Other tests' configs are paused so that the timer's own probes cannot land in the measured window.
            foreach (var other in await ActiveConfigIdsAsync())
                await stack.Admin.PostAsync($"/api/databricks/sync-configs/{other}/pause", null);
            await stack.WaitForTicksAsync(2);

            var page = await stack.NewPageAsync();
            var apiRequests = new List<string>();
            page.Request += (_, request) => { if (new Uri(request.Url).AbsolutePath.StartsWith("/api/", StringComparison.Ordinal)) apiRequests.Add(request.Url); };
            await page.GotoAsync(stack.ConsoleUrl);
            await page.GetByLabel("API token", new() { Exact = true }).FillAsync(ConsoleStack.AdminToken);
            await page.Keyboard.PressAsync("Enter");
            await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Overview" })).ToBeVisibleAsync();

            var statements = stack.Emulator.Handle!.Stats.StatementsExecuted;
            var total = await TotalAsync();
            var firstPage = Math.Min(total, PageSize);
            // The overview: its first page of rows (failures first) and tiles that count every config.
            apiRequests.Clear();
            await page.ReloadAsync();
            await Expect(page.Locator("#overview tbody tr")).ToHaveCountAsync(firstPage, new() { Timeout = 30_000 });
            await Expect(page.GetByRole(AriaRole.List, new() { Name = "Summary" })).ToContainTextAsync(total.ToString("N0", CultureInfo.InvariantCulture) + " syncs");
            var overviewRequests = apiRequests.ToList();

            apiRequests.Clear();
            await page.GetByRole(AriaRole.Link, new() { Name = "Syncs" }).ClickAsync();
            await Expect(page.Locator("#syncs tbody tr")).ToHaveCountAsync(firstPage, new() { Timeout = 30_000 });
            var syncsRequests = apiRequests.ToList();
            await stack.ScreenshotAsync(page, "scale-1000-syncs");

            Assert.True(overviewRequests.Count <= 3, "overview: " + string.Join(", ", overviewRequests));
            Assert.True(syncsRequests.Count <= 3, "syncs: " + string.Join(", ", syncsRequests));
            Assert.DoesNotContain(overviewRequests.Concat(syncsRequests), u => u.Contains("/runs", StringComparison.Ordinal) || u.Contains("/export-lag", StringComparison.Ordinal));

            // The name filter searches every config on the server: natural order, so2 before so10.
            apiRequests.Clear();
            await page.RunAndWaitForResponseAsync(() => page.GetByLabel("Name contains").FillAsync("scale "), r => r.Url.Contains("name=scale", StringComparison.Ordinal));
            await Expect(page.Locator(".pager [role=status]")).ToContainTextAsync($"1–100 of {Configs.ToString("N0", CultureInfo.InvariantCulture)}");
            await Expect(page.Locator("#syncs tbody tr th a").First).ToHaveTextAsync("scale 0");
            Assert.Single(apiRequests);
            var names = (await page.Locator("#syncs tbody tr th a").AllTextContentsAsync()).ToList();
            Assert.True(names.IndexOf("scale 2") < names.IndexOf("scale 10") && names.IndexOf("scale 2") >= 0, "scale 2 should come before scale 10: " + string.Join(", ", names.Take(12)));
            // The next page is one request and goes on in the same order.
            apiRequests.Clear();
            await page.GetByRole(AriaRole.Button, new() { Name = "Next page" }).ClickAsync();
            await Expect(page.Locator("#syncs tbody tr th a").First).ToHaveTextAsync("scale 100");
            await Expect(page.Locator(".pager [role=status]")).ToContainTextAsync($"101–200 of {Configs.ToString("N0", CultureInfo.InvariantCulture)}");
            Assert.Single(apiRequests);
            Assert.Equal(statements, stack.Emulator.Handle!.Stats.StatementsExecuted);
            await page.Context.CloseAsync();
        }
        finally
        {
            await Parallel.ForEachAsync(ids, new ParallelOptions { MaxDegreeOfParallelism = 8 },
                async (id, ct) => await stack.Admin.DeleteAsync($"/api/databricks/sync-configs/{id}", ct));
            await stack.Admin.DeleteAsync($"/api/databricks/service-principals/{principal}");
        }
    }

    private async Task<int> TotalAsync()
    {
        using var doc = JsonDocument.Parse(await stack.Admin.GetStringAsync("/api/databricks/sync-configs?page_size=1"));
        return doc.RootElement.GetProperty("total").GetInt32();
    }

    private async Task<List<string>> ActiveConfigIdsAsync()
    {
        using var doc = JsonDocument.Parse(await stack.Admin.GetStringAsync("/api/databricks/sync-configs?status=active"));
        return doc.RootElement.GetProperty("items").EnumerateArray().Select(e => e.GetProperty("id").GetString()!).ToList();
    }

    /// <summary>1,000 paused configs (the timer leaves them alone) of every type, through the API as a client would.</summary>
    private async Task<(string Principal, List<string> Ids)> SeedAsync()
    {
        var response = await stack.Admin.PostAsJsonAsync("/api/databricks/service-principals",
            new { workspace_url = stack.Emulator.Host, token = stack.Emulator.Token, name = "scale" });
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var principal = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;
        var ids = new System.Collections.Concurrent.ConcurrentBag<string>();
        await Parallel.ForAsync(0, Configs, new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (i, ct) =>
        {
            object body = (i % 4) switch
            {
                0 => new { name = $"scale {i}", config_type = "table", databricks_path = ConsoleStack.Table, service_principal_id = principal, pk_column = "id", label_column = "label", enabled = false },
                1 => new { name = $"scale {i}", config_type = "table_reverse", databricks_path = ConsoleStack.Table, service_principal_id = principal, pk_column = "id", label_column = "label", enabled = false },
                2 => new { name = $"scale {i}", config_type = "volume_forward", databricks_path = $"/Volumes/{ConsoleStack.Catalog}/{ConsoleStack.Schema}/staging", service_principal_id = principal, enabled = false },
                _ => new { name = $"scale {i}", config_type = "volume_reverse", databricks_path = $"/Volumes/{ConsoleStack.Catalog}/{ConsoleStack.Schema}/staging", service_principal_id = principal, enabled = false },
            };
            using var created = await stack.Admin.PostAsJsonAsync("/api/databricks/sync-configs", body, ct);
            Assert.True(created.StatusCode == HttpStatusCode.Created, await created.Content.ReadAsStringAsync(ct));
            ids.Add((await created.Content.ReadFromJsonAsync<JsonElement>(ct)).GetProperty("id").GetString()!);
        });
        return (principal, ids.ToList());
    }
}
