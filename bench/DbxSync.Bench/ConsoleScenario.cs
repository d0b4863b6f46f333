using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.Json.Nodes;
using Microsoft.Playwright;
using static DbxSync.Bench.Measure;

namespace DbxSync.Bench;

/// <summary>
/// console: the overview and syncs pages with N configs (--configs, 1,000 by default here), in Debian's chromium
/// through Playwright: time from navigation until every row is on the page (median of 5), the API requests each page
/// sends, and the warehouse statements the page loads cause (the emulator's /emulator/stats). Targets: under 1.5 s,
/// at most 3 requests, 0 statements.
/// </summary>
public static class ConsoleScenario
{
    private const int Loads = 5;

    public static async Task<List<CaseResult>> RunAsync(BenchContext ctx, int configs, CancellationToken ct)
    {
        await ctx.EnsureSchemaAsync(ct);
        var table = $"{BenchContext.Catalog}.{BenchContext.Schema}.console_{ctx.Suffix}";
        await ctx.CreateItemsTableAsync(table, 10, labeledHalf: false, ct);
        BenchContext.Step($"console: creating {configs} paused configs through the API");
        var ids = new ConcurrentBag<string>();
        await Parallel.ForAsync(0, configs, new ParallelOptions { MaxDegreeOfParallelism = 8, CancellationToken = ct }, async (i, c) =>
            ids.Add(await ctx.CreateConfigAsync($"bench console {ctx.Suffix} {i}", i % 2 == 0 ? "table" : "table_reverse", table,
                new() { ["pk_column"] = "id", ["label_column"] = "label", ["enabled"] = false }, c)));
        await ctx.PauseOthersAsync(new HashSet<string>(), ct);
        var total = (int)(await ctx.GetAsync("api/databricks/sync-configs?page_size=1", ct))["total"]!;

        using var playwright = await Playwright.CreateAsync();
        await using var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = Environment.GetEnvironmentVariable("DBXSYNC_CHROMIUM") ?? "/usr/bin/chromium",
            Headless = true,
            Args = ["--no-sandbox", "--disable-dev-shm-usage"],
        });
        var page = await browser.NewPageAsync();
        var requests = new ConcurrentQueue<string>();
        page.Request += (_, r) => { if (new Uri(r.Url).AbsolutePath.StartsWith("/api/", StringComparison.Ordinal)) requests.Enqueue(r.Url); };
        await page.GotoAsync(BenchContext.Env("DBXSYNC_API_URL"));
        await page.GetByLabel("API token", new() { Exact = true }).FillAsync(BenchContext.Env("DBXSYNC_API_TOKEN"));
        await page.Keyboard.PressAsync("Enter");
        await page.Locator("#overview tbody tr").Nth(total - 1).WaitForAsync(new() { Timeout = 60_000 });

        async Task<(double Median, int Requests, long Statements)> MeasureAsync(Func<Task>? prepare, Func<Task> navigate, string rows)
        {
            var times = new List<double>();
            var counts = new List<int>();
            var before = await ctx.EmulatorStatementsAsync(ct);
            for (var i = 0; i < Loads; i++)
            {
                if (prepare is not null) await prepare();
                requests.Clear();
                var clock = Stopwatch.StartNew();
                await navigate();
                await page.Locator(rows).Nth(total - 1).WaitForAsync(new() { Timeout = 60_000 });
                times.Add(clock.Elapsed.TotalSeconds);
                counts.Add(requests.Count);
            }
            var statements = await ctx.EmulatorStatementsAsync(ct) - before;
            times.Sort();
            return (times[Loads / 2], counts.Max(), statements);
        }

        BenchContext.Step($"console: {Loads} loads of each page with {total} configs");
        var overview = await MeasureAsync(null, () => page.ReloadAsync(), "#overview tbody tr");
        // From the overview (not timed) to the syncs page (timed).
        var syncs = await MeasureAsync(async () =>
        {
            await page.EvaluateAsync("location.hash = '#/'");
            await page.Locator("#overview tbody tr").Nth(total - 1).WaitForAsync(new() { Timeout = 60_000 });
        }, () => page.EvaluateAsync("location.hash = '#/syncs'"), "#syncs tbody tr");

        CaseResult Case(string label, (double Median, int Requests, long Statements) m, string how) => new()
        {
            Case = label, WallSeconds = m.Median, Throughput = total / m.Median, ThroughputUnit = "rows/s", PeakWorkingSetMiB = ctx.AppMemory().Peak / MiB,
            Targets =
            [
                new(F($"renders {total} configs < 1.5 s"), m.Median < 1.5, F($"{m.Median:F2} s (median of {Loads})")),
                new("<= 3 API requests", m.Requests <= 3, F($"{m.Requests} requests")),
                new("0 warehouse statements", m.Statements == 0, F($"{m.Statements} statements over {Loads} loads")),
            ],
            Note = how,
        };
        return
        [
            Case(F($"overview page, {total} configs"), overview, "full page reload: /api/me, the list (failures first) and the connections"),
            Case(F($"syncs page, {total} configs"), syncs, "navigation within the console: the list (natural name order, stored export lag)"),
        ];
    }
}
