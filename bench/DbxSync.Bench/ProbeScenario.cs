using System.Globalization;
using System.Collections.Concurrent;
using DbxSync.Core.Ports;
using static DbxSync.Bench.Measure;

namespace DbxSync.Bench;

/// <summary>
/// probe: 500 table configs whose tables did not change; the time from one tick's enqueued runs until RunSync has
/// judged all 500 (sync-runs messages, as SyncTimer writes them). Limit: the Databricks side of the probe alone, 500 DESCRIBE HISTORY statements through
/// the client with the scheduler's parallelism.
/// </summary>
public static class ProbeScenario
{
    /// <summary>SchedulerOptions.MaxParallelRuns default.</summary>
    public const int Parallel = 16;

    public static async Task<List<CaseResult>> RunAsync(BenchContext ctx, int configs, CancellationToken ct)
    {
        await ctx.EnsureSchemaAsync(ct);
        var tables = Enumerable.Range(0, configs).Select(i => $"{BenchContext.Catalog}.{BenchContext.Schema}.probe_{ctx.Suffix}_{i:D3}").ToList();
        BenchContext.Step($"probe: creating {configs} small tables and {configs} table configs");
        await System.Threading.Tasks.Parallel.ForEachAsync(tables, new ParallelOptions { MaxDegreeOfParallelism = 4, CancellationToken = ct }, async (t, c) =>
        {
            await ctx.SqlAsync($"CREATE TABLE {t} (id BIGINT NOT NULL, text STRING, label STRING)", c);
            await ctx.SqlAsync($"INSERT INTO {t} SELECT id, concat('row ', id), CAST(NULL AS STRING) FROM range(1, 11)", c);
        });
        await ctx.PrincipalAsync(ct);
        var ids = new ConcurrentBag<string>();
        await System.Threading.Tasks.Parallel.ForEachAsync(tables, new ParallelOptions { MaxDegreeOfParallelism = 4, CancellationToken = ct }, async (t, c) =>
            ids.Add(await ctx.CreateConfigAsync($"bench probe {t}", "table", t, new() { ["pk_column"] = "id", ["label_column"] = "label" }, c)));
        var paused = await ctx.PauseOthersAsync(ids.ToHashSet(), ct);
        if (paused > 0) BenchContext.Step($"probe: paused {paused} other active configs so that the tick sees only the probe's");

        // First tick: every config's first run (a 10-row snapshot each), which sets the checkpoints.
        await ctx.RestartAppAsync(ct);
        var (first, firstSummary) = await ctx.TickAsync(ids, ct);
        BenchContext.Step(F($"probe: first tick (initial exports) {first.TotalSeconds:F1} s: {firstSummary}"));

        // A fresh process: every config is due once more, none changed.
        await ctx.RestartAppAsync(ct);
        var (cold, coldSummary) = await ctx.TickAsync(ids, ct);
        BenchContext.Step(F($"probe: no-change tick on a fresh process {cold.TotalSeconds:F2} s: {coldSummary}"));
        // The poll interval (10 s, the minimum) must pass before the same process finds them due again.
        await Task.Delay(TimeSpan.FromSeconds(10) - cold + TimeSpan.FromSeconds(0.5) is { Ticks: > 0 } wait ? wait : TimeSpan.Zero, ct);
        // Warehouse statements the warm tick sent (the emulator's count): one DESCRIBE HISTORY per unchanged config.
        var statementsBefore = await ctx.EmulatorStatementsAsync(ct);
        var cpuBefore = CpuSeconds(ctx);
        var (warm, warmSummary) = await ctx.TickAsync(ids, ct);
        var cpu = CpuSeconds(ctx).Where(p => cpuBefore.ContainsKey(p.Key)).ToDictionary(p => p.Key, p => p.Value - cpuBefore[p.Key]);
        var statements = await ctx.EmulatorStatementsAsync(ct) - statementsBefore;
        warmSummary += F($"; {statements} warehouse statements ({(double)statements / configs:F2} per config); CPU ms per config: ")
                       + string.Join(", ", cpu.Where(p => p.Value > 0).OrderByDescending(p => p.Value).Select(p => F($"{p.Key} {p.Value * 1000 / configs:F1}")));
        BenchContext.Step(F($"probe: no-change tick, warm {warm.TotalSeconds:F2} s: {warmSummary}"));
        var peak = ctx.AppMemory().Peak / MiB;
        if (!coldSummary.Contains($"{configs} unchanged") || !warmSummary.Contains($"{configs} unchanged"))
            throw new InvalidOperationException($"expected {configs} unchanged configs per tick: '{coldSummary}' / '{warmSummary}'");

        var raw = await SecondsAsync(() => System.Threading.Tasks.Parallel.ForEachAsync(tables, new ParallelOptions { MaxDegreeOfParallelism = Parallel, CancellationToken = ct }, async (t, c) =>
        {
            var result = await ctx.Workspace.ExecuteAsync($"DESCRIBE HISTORY {t} LIMIT 1", null, new StatementOptions { WarehouseId = ctx.WarehouseId }, c);
            await foreach (var _ in result.ReadRowsAsync(c)) { }
        }));

        // The configs stay (paused) for the record, but must not run in later ticks of other scenarios.
        await ctx.PauseOthersAsync(new HashSet<string>(), ct);

        // CPU seconds (user + system) each process of the local stack used so far: on a shared machine wall time mostly
        // measures the load, while CPU time per config shows where a tick's work goes (the app's worker, the host, Azurite, the emulator).
        static Dictionary<string, double> CpuSeconds(BenchContext ctx)
        {
            var pids = Directory.GetFiles(Path.Combine(ctx.Root, ".dbxsync", "pids"), "*.pid")
                .ToDictionary(f => Path.GetFileNameWithoutExtension(f) is "app" ? "functions host" : Path.GetFileNameWithoutExtension(f), f => int.Parse(File.ReadAllText(f).Trim(), CultureInfo.InvariantCulture));
            pids["worker"] = ctx.AppPid;
            var cpu = new Dictionary<string, double>();
            foreach (var (name, pid) in pids)
            {
                if (!File.Exists($"/proc/{pid}/stat")) continue;
                var stat = File.ReadAllText($"/proc/{pid}/stat");
                var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
                // utime and stime (fields 14 and 15 of proc(5)), in clock ticks of 1/100 s.
                cpu[name] = (long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture)) / 100.0;
            }
            return cpu;
        }

        CaseResult Case(string label, TimeSpan wall, string summary)
        {
            var w = wall.TotalSeconds;
            var limits = new List<Limit> { Limit(F($"raw probe: {configs} x DESCRIBE HISTORY LIMIT 1 through the client, {Parallel} at a time"), raw, w) };
            var targets = CommonTargets(peak, w, limits);
            targets.Insert(0, new Target(F($"no-change tick over {configs} configs < 10 s"), w < 10, F($"{w:F2} s")));
            return new CaseResult
            {
                Case = label, WallSeconds = w, Files = 0, Throughput = configs / w, ThroughputUnit = "configs/s", PeakWorkingSetMiB = peak,
                Limits = limits, Targets = targets, Note = summary,
            };
        }
        return
        [
            Case(F($"tick, {configs} unchanged table configs, fresh process"), cold, coldSummary),
            Case(F($"tick, {configs} unchanged table configs, warm"), warm, warmSummary),
        ];
    }
}
