using System.Globalization;
using System.Text.Json;
using static DbxSync.Bench.Measure;

namespace DbxSync.Bench;

/// <summary>
/// parts: the first export (snapshot) of an N-row table, half unlabeled, written in ten parts. Once in one run (the
/// limit: the same snapshot, parts and statements, without stopping), then on a fresh app whose run limit is a quarter of
/// that run's time, so the snapshot must stop partial and be continued (by a POST per run, as "due at once" would) at
/// least three times. Reports the end-to-end time of all runs against the one run, rows/s and the app's peak working set.
/// </summary>
public static class ExportPartsScenario
{
    public const double MaxPeakMiB = 160;

    public static async Task<List<CaseResult>> RunAsync(BenchContext ctx, long rows, CancellationToken ct)
    {
        await ctx.EnsureSchemaAsync(ct);
        var name = $"{BenchContext.Catalog}.{BenchContext.Schema}.parts_{ctx.Suffix}";
        BenchContext.Step($"parts: creating {name} with {rows:N0} rows (half unlabeled) in the emulator");
        var setup = await SecondsAsync(() => ctx.CreateItemsTableAsync(name, rows, labeledHalf: true, ct));
        BenchContext.Step(F($"parts: table ready in {setup:F1} s"));
        var unlabeled = rows / 2;
        var partRows = Math.Max(1, unlabeled / 10);
        var settings = new Dictionary<string, string> { ["DbxSync__Export__PartRows"] = partRows.ToString(CultureInfo.InvariantCulture) };

        var whole = await ctx.CreateConfigAsync($"bench parts one run {ctx.Suffix}", "table", name, new() { ["pk_column"] = "id", ["label_column"] = "label" }, ct);
        await ctx.RestartAppAsync(ct, settings);
        var baseline = ctx.AppMemory().Peak / MiB;
        BenchContext.Step(F($"parts: one run, {partRows:N0} rows per part (app started at {baseline:F0} MiB)"));
        var (one, oneWall) = await ctx.RunAsync(whole, ct);
        var onePeak = ctx.AppMemory().Peak / MiB;
        if ((string?)one["outcome"] != "succeeded") throw new InvalidOperationException($"the one-run snapshot ended {one["outcome"]}: {one["message"]}");
        await AssertCompleteAsync(ctx, whole, unlabeled, ct);

        var limit = TimeSpan.FromSeconds(Math.Max(2, oneWall.TotalSeconds / 4));
        var parted = await ctx.CreateConfigAsync($"bench parts limited {ctx.Suffix}", "table", name, new() { ["pk_column"] = "id", ["label_column"] = "label" }, ct);
        await ctx.RestartAppAsync(ct, new Dictionary<string, string>(settings) { ["DbxSync__Runs__TimeLimit"] = limit.ToString("c", CultureInfo.InvariantCulture) });
        BenchContext.Step(F($"parts: run limit {limit.TotalSeconds:F1} s; running until the snapshot is complete"));
        var runs = new List<JsonElement>();
        var total = TimeSpan.Zero;
        while (true)
        {
            var (run, wall) = await ctx.RunAsync(parted, ct);
            total += wall;
            runs.Add(JsonDocument.Parse(run.ToJsonString()).RootElement);
            BenchContext.Step(F($"parts: run {runs.Count}: {run["outcome"]}, {Long(run, "rows"):N0} rows, {Long(run, "files")} parts in {wall.TotalSeconds:F1} s"));
            if ((string?)run["outcome"] == "succeeded") break;
            if (runs.Count > 50) throw new InvalidOperationException("the snapshot did not complete in 50 runs");
        }
        var peak = ctx.AppMemory().Peak / MiB;
        await AssertCompleteAsync(ctx, parted, unlabeled, ct);

        var exported = runs.Sum(r => r.GetProperty("rows").GetInt64());
        var w = total.TotalSeconds;
        var limits = new List<Limit> { Limit(F($"the same snapshot in one run ({Long(one, "files")} parts, {onePeak:F0} MiB peak)"), oneWall.TotalSeconds, w) };
        var targets = new List<Target>
        {
            new("at least 3 runs", runs.Count >= 3, F($"{runs.Count} runs ({runs.Count(r => r.GetProperty("outcome").GetString() == "partial")} partial)")),
            new(F($"peak working set < {MaxPeakMiB:F0} MiB"), peak < MaxPeakMiB, F($"{peak:F0} MiB (app started at {baseline:F0} MiB)")),
            new("every unlabeled row exactly once", exported == unlabeled, F($"{exported:N0} of {unlabeled:N0}")),
        };
        return
        [
            new CaseResult
            {
                Case = F($"snapshot in parts: {rows:N0} rows, half unlabeled, {partRows:N0} rows per part, run limit {limit.TotalSeconds:F1} s"),
                WallSeconds = w, RunSeconds = runs.Sum(r => r.GetProperty("duration_ms").GetInt64()) / 1000.0,
                Rows = exported, Files = runs.Sum(r => r.GetProperty("files").GetInt64()), Bytes = runs.Sum(r => r.GetProperty("bytes").GetInt64()),
                Throughput = exported / w, ThroughputUnit = "rows/s", PeakWorkingSetMiB = peak, Limits = limits, Targets = targets,
                Note = F($"{runs.Count} runs; one run took {oneWall.TotalSeconds:F1} s at {unlabeled / oneWall.TotalSeconds:N0} rows/s with a {onePeak:F0} MiB peak"),
            },
        ];
    }

    /// <summary>The final manifest of the config's export exists and counts every unlabeled row.</summary>
    private static async Task AssertCompleteAsync(BenchContext ctx, string configId, long expected, CancellationToken ct)
    {
        await foreach (var blob in ctx.Blobs.ListAsync("exports", configId + "/", ct))
        {
            if (!blob.Name.EndsWith(".manifest.json", StringComparison.Ordinal) || blob.Name.Contains("_part", StringComparison.Ordinal)) continue;
            await using var stream = await ctx.Blobs.OpenReadAsync("exports", blob.Name, ct);
            var manifest = await JsonDocument.ParseAsync(stream, cancellationToken: ct);
            var count = manifest.RootElement.GetProperty("row_count").GetInt64();
            if (count != expected) throw new InvalidOperationException($"{blob.Name} counts {count} rows, expected {expected}");
            return;
        }
        throw new InvalidOperationException($"no final manifest under exports/{configId}/");
    }
}
