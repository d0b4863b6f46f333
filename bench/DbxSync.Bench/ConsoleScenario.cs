using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.Json;
using Microsoft.Playwright;
using static DbxSync.Bench.Measure;

namespace DbxSync.Bench;

/// <summary>
/// console: the overview and syncs pages with N configs (--configs, 1,000 by default here) and then 2N, in Debian's
/// chromium through Playwright: time from navigation until the page's rows are painted (median of 5), the API
/// requests each page sends, and the warehouse statements the page loads cause (the emulator's /emulator/stats).
/// Targets: under 1.5 s, at most 3 requests, 0 statements. Each page's time is broken down from the browser's own
/// clocks (Resource Timing for the API requests, a MutationObserver for the moment the rows enter the document):
/// loading the console, the API requests, building the rows, then style, layout and paint.
/// </summary>
public static class ConsoleScenario
{
    private const int Loads = 5;
    /// <summary>Of the seeded configs, this many are run against a table that does not exist (failing, first on the overview) and this many against a real one.</summary>
    private const int Failing = 10, Succeeded = 10;

    // Runs before the console's own scripts on every load: notes when the awaited table enters the document and when
    // the frame after it has been painted (a task queued from requestAnimationFrame runs after that frame).
    private const string Probe = """
        (() => {
          const b = window.__bench = { start: 0, want: '#overview', dom: null, frame: null };
          b.reset = (want) => { b.start = performance.now(); b.want = want; b.dom = null; b.frame = null; performance.clearResourceTimings(); };
          new MutationObserver(() => {
            if (b.dom !== null || !document.querySelector(b.want + ' tbody tr')) return;
            b.dom = performance.now();
            requestAnimationFrame(() => setTimeout(() => { b.frame = performance.now(); }, 0));
          }).observe(document, { childList: true, subtree: true });
        })();
        """;

    // The phases of the last load, in ms from its start, from the browser's clocks.
    private const string Phases = """
        () => {
          const b = window.__bench;
          const api = performance.getEntriesByType('resource').filter((e) => new URL(e.name).pathname.startsWith('/api/') && e.startTime >= b.start);
          const list = api.filter((e) => new URL(e.name).pathname === '/api/databricks/sync-configs');
          return {
            apiStart: Math.min(...api.map((e) => e.startTime)) - b.start,
            apiEnd: Math.max(...api.map((e) => e.responseEnd)) - b.start,
            listWait: list.length ? Math.max(...list.map((e) => e.responseStart - e.requestStart)) : 0,
            listBytes: list.reduce((n, e) => n + e.encodedBodySize, 0),
            dom: b.dom - b.start,
            frame: b.frame - b.start,
            rows: document.querySelectorAll(b.want + ' tbody tr').length,
          };
        }
        """;

    private sealed record Load(double Wall, int Requests, Phase Phase);

    private sealed record Phase(double ApiStart, double ApiEnd, double ListWait, double ListBytes, double Dom, double Frame, int Rows);

    private sealed record PageResult(double Median, int Requests, long Statements, Phase Phase, double ListAlone);

    public static async Task<List<CaseResult>> RunAsync(BenchContext ctx, int configs, CancellationToken ct)
    {
        await ctx.EnsureSchemaAsync(ct);
        var table = $"{BenchContext.Catalog}.{BenchContext.Schema}.console_{ctx.Suffix}";
        await ctx.CreateItemsTableAsync(table, 10, labeledHalf: false, ct);
        await ctx.PauseOthersAsync(new HashSet<string>(), ct);
        await SeedRunsAsync(ctx, table, ct);

        using var playwright = await Playwright.CreateAsync();
        await using var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = Environment.GetEnvironmentVariable("DBXSYNC_CHROMIUM") ?? "/usr/bin/chromium",
            Headless = true,
            Args = ["--no-sandbox", "--disable-dev-shm-usage"],
        });
        var results = new List<CaseResult>();
        foreach (var size in new[] { configs, 2 * configs })
        {
            var total = await GrowToAsync(ctx, table, size, ct);
            results.AddRange(await MeasurePagesAsync(ctx, browser, total, ct));
        }
        return results;
    }

    /// <summary>
    /// Configs that have run, as a real stack has them: some exported, some failed (their table was dropped after they
    /// were created: failures first on the overview).
    /// </summary>
    private static async Task SeedRunsAsync(BenchContext ctx, string table, CancellationToken ct)
    {
        BenchContext.Step($"console: {Failing} failing and {Succeeded} exported configs (one run each)");
        var dropped = table + "_dropped";
        await ctx.CreateItemsTableAsync(dropped, 10, labeledHalf: false, ct);
        var ids = new ConcurrentBag<(int Index, string Id)>();
        await Parallel.ForAsync(0, Failing + Succeeded, new ParallelOptions { MaxDegreeOfParallelism = 4, CancellationToken = ct }, async (i, c) =>
            ids.Add((i, await ctx.CreateConfigAsync($"bench console {ctx.Suffix} run {i}", "table", i < Failing ? dropped : table,
                new() { ["pk_column"] = "id", ["label_column"] = "label", ["enabled"] = false }, c))));
        await ctx.SqlAsync($"DROP TABLE {dropped}", ct);
        await Parallel.ForEachAsync(ids, new ParallelOptions { MaxDegreeOfParallelism = 4, CancellationToken = ct }, async (config, c) =>
        {
            try
            {
                await ctx.RunAsync(config.Id, c);
            }
            catch (InvalidOperationException) when (config.Index < Failing)
            {
                // Its table is gone: the run fails, as it should (counted below).
            }
        });
        var failing = (int)(await ctx.GetAsync("api/databricks/sync-configs?status=failing&page_size=1", ct))["total"]!;
        if (failing < Failing) throw new InvalidOperationException($"{failing} failing configs after {Failing} runs of a dropped table");
    }

    /// <summary>Paused configs through the API until the stack holds <paramref name="size"/>; returns the total.</summary>
    private static async Task<int> GrowToAsync(BenchContext ctx, string table, int size, CancellationToken ct)
    {
        var existing = (int)(await ctx.GetAsync("api/databricks/sync-configs?page_size=1", ct))["total"]!;
        BenchContext.Step($"console: creating {Math.Max(0, size - existing)} paused configs through the API ({existing} exist)");
        await Parallel.ForAsync(existing, size, new ParallelOptions { MaxDegreeOfParallelism = 8, CancellationToken = ct }, async (i, c) =>
            await ctx.CreateConfigAsync($"bench console {ctx.Suffix} {i}", i % 2 == 0 ? "table" : "table_reverse", table,
                new() { ["pk_column"] = "id", ["label_column"] = "label", ["enabled"] = false }, c));
        return (int)(await ctx.GetAsync("api/databricks/sync-configs?page_size=1", ct))["total"]!;
    }

    private static async Task<List<CaseResult>> MeasurePagesAsync(BenchContext ctx, IBrowser browser, int total, CancellationToken ct)
    {
        var page = await browser.NewPageAsync();
        await page.AddInitScriptAsync(Probe);
        var requests = new ConcurrentQueue<string>();
        page.Request += (_, r) => { if (new Uri(r.Url).AbsolutePath.StartsWith("/api/", StringComparison.Ordinal)) requests.Enqueue(r.Url); };
        await page.GotoAsync(BenchContext.Env("DBXSYNC_API_URL"));
        await page.GetByLabel("API token", new() { Exact = true }).FillAsync(BenchContext.Env("DBXSYNC_API_TOKEN"));
        await page.Keyboard.PressAsync("Enter");
        await WaitPaintedAsync(page);

        async Task<PageResult> MeasureAsync(Func<Task>? prepare, Func<Task> navigate)
        {
            var listQuery = "";
            var loads = new List<Load>();
            var before = await ctx.EmulatorStatementsAsync(ct);
            for (var i = 0; i < Loads; i++)
            {
                if (prepare is not null) await prepare();
                requests.Clear();
                var clock = Stopwatch.StartNew();
                await navigate();
                await WaitPaintedAsync(page);
                var wall = clock.Elapsed.TotalSeconds;
                var p = await page.EvaluateAsync<JsonElement>(Phases);
                double D(string name) => p.GetProperty(name).GetDouble();
                loads.Add(new(wall, requests.Count, new(D("apiStart"), D("apiEnd"), D("listWait"), D("listBytes"), D("dom"), D("frame"), p.GetProperty("rows").GetInt32())));
                listQuery = requests.Select(u => new Uri(u)).LastOrDefault(u => u.AbsolutePath == "/api/databricks/sync-configs")?.Query.TrimStart('?') ?? listQuery;
            }
            var statements = await ctx.EmulatorStatementsAsync(ct) - before;
            // The list request alone, as the page sends it (HTTP through the local host, no browser).
            var alone = new List<double>();
            for (var i = 0; i < Loads; i++) alone.Add(await SecondsAsync(() => ctx.GetAsync("api/databricks/sync-configs?" + listQuery, ct)));
            alone.Sort();
            var median = loads.OrderBy(l => l.Wall).ElementAt(Loads / 2);
            return new(median.Wall, loads.Max(l => l.Requests), statements, median.Phase, alone[Loads / 2]);
        }

        BenchContext.Step($"console: {Loads} loads of each page with {total} configs");
        var overview = await MeasureAsync(null, () => page.ReloadAsync());
        // From the overview (not timed) to the syncs page (timed).
        var syncs = await MeasureAsync(async () =>
        {
            await page.EvaluateAsync("(() => { window.__bench.reset('#overview'); location.hash = '#/'; })()");
            await WaitPaintedAsync(page);
        }, () => page.EvaluateAsync("(() => { window.__bench.reset('#syncs'); location.hash = '#/syncs'; })()"));
        await page.CloseAsync();

        CaseResult Case(string label, PageResult m, string how) => new()
        {
            Case = label, WallSeconds = m.Median, Rows = m.Phase.Rows, Bytes = (long)m.Phase.ListBytes,
            Throughput = m.Phase.Rows / m.Median, ThroughputUnit = "rows/s", PeakWorkingSetMiB = ctx.AppMemory().Peak / MiB,
            Limits = [Limit("the list request alone (HTTP through the local host)", m.ListAlone, m.Median)],
            Targets =
            [
                new(F($"renders {total} configs < 1.5 s"), m.Median < 1.5, F($"{m.Median:F2} s (median of {Loads}), {m.Phase.Rows} rows drawn")),
                new("<= 3 API requests", m.Requests <= 3, F($"{m.Requests} requests")),
                new("0 warehouse statements", m.Statements == 0, F($"{m.Statements} statements over {Loads} loads")),
            ],
            Note = how + "; " + Breakdown(m.Phase) + "; " + LoadAverage(),
        };
        return
        [
            Case(F($"overview page, {total} configs"), overview, "full page reload: /api/me, the list (failures first) and the connections"),
            Case(F($"syncs page, {total} configs"), syncs, "navigation within the console: the list (natural name order, stored export lag)"),
        ];
    }

    /// <summary>The machine's load while the pages were measured (the bench machine is often shared).</summary>
    private static string LoadAverage()
        => File.Exists("/proc/loadavg") ? "load average (1, 5, 15 min) " + string.Join(", ", File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "load average unknown";

    /// <summary>Until the awaited table is in the document and the frame after it has been painted.</summary>
    private static Task WaitPaintedAsync(IPage page)
        => page.WaitForFunctionAsync("() => window.__bench && window.__bench.frame !== null", null, new() { Timeout = 60_000 });

    private static string Breakdown(Phase p)
        => F($"of the median load: {p.ApiStart:F0} ms until the first API request (loading the console), {p.ApiEnd - p.ApiStart:F0} ms of API requests ")
         + F($"(the list: {p.ListWait:F0} ms waiting for its first byte, {p.ListBytes / 1024:F0} KiB), {p.Dom - p.ApiEnd:F0} ms reading the JSON and building ")
         + F($"{p.Rows} rows, {p.Frame - p.Dom:F0} ms style, layout and paint");
}
