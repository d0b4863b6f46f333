using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using Spectre.Console;

namespace DbxSync.Bench;

/// <summary>A lower bound of the path, measured in the same run on the same endpoints; Ratio = our wall time / its time.</summary>
public sealed record Limit(string Name, double Seconds, double Ratio);

public sealed record Target(string Name, bool Met, string Detail);

/// <summary>One measured case: a real run through the app's API, on a freshly started app process.</summary>
public sealed record CaseResult
{
    public required string Case { get; init; }
    public required double WallSeconds { get; init; }
    /// <summary>duration_ms reported by the run itself (null for a tick).</summary>
    public double? RunSeconds { get; init; }
    public long Rows { get; init; }
    public long Files { get; init; }
    public long Bytes { get; init; }
    public required double Throughput { get; init; }
    public required string ThroughputUnit { get; init; }
    public required double PeakWorkingSetMiB { get; init; }
    public List<Limit> Limits { get; init; } = [];
    public List<Target> Targets { get; init; } = [];
    public string? Note { get; init; }
}

public sealed record ScenarioResult
{
    public required string Scenario { get; init; }
    public required string Command { get; init; }
    public required DateTimeOffset StartedAt { get; init; }
    public required string Machine { get; init; }
    public List<CaseResult> Cases { get; init; } = [];
}

public static class Results
{
    private static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true, PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    public static string Machine()
    {
        var cpu = File.Exists("/proc/cpuinfo") ? File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal))?.Split(':', 2)[1].Trim() : null;
        var memKb = File.Exists("/proc/meminfo") ? File.ReadLines("/proc/meminfo").First().Split(':', 2)[1].Trim().Split(' ')[0] : "0";
        var gib = long.Parse(memKb, CultureInfo.InvariantCulture) / 1024.0 / 1024.0;
        return string.Create(CultureInfo.InvariantCulture, $"{Environment.ProcessorCount} cores ({cpu ?? "unknown cpu"}), {gib:F0} GiB RAM, {System.Runtime.InteropServices.RuntimeInformation.OSDescription}, .NET {Environment.Version}");
    }

    public static void Print(ScenarioResult result)
    {
        var table = new Table().Title($"[bold]{result.Scenario}[/]").AddColumns("case", "wall", "throughput", "peak WS", "limits (our time / limit time)", "targets");
        foreach (var c in result.Cases)
        {
            table.AddRow(
                Markup.Escape(c.Case),
                F($"{c.WallSeconds:F2} s"),
                Markup.Escape(ThroughputText(c)),
                F($"{c.PeakWorkingSetMiB:F0} MiB"),
                Markup.Escape(string.Join("\n", c.Limits.Select(l => F($"{l.Name}: {l.Seconds:F2} s -> {l.Ratio:F2}x")))),
                string.Join("\n", c.Targets.Select(t => $"{(t.Met ? "[green]met[/]" : "[red]MISSED[/]")} {Markup.Escape(t.Name)}")));
        }
        AnsiConsole.Write(table);
    }

    public static async Task WriteAsync(string directory, ScenarioResult result)
    {
        Directory.CreateDirectory(directory);
        await File.WriteAllTextAsync(Path.Combine(directory, result.Scenario + ".json"), JsonSerializer.Serialize(result, Json) + "\n");
        await File.WriteAllTextAsync(Path.Combine(directory, result.Scenario + ".md"), Markdown(result));
        await WriteSummaryAsync(directory);
    }

    /// <summary>bench/results/README.md: every scenario's latest file, in one table.</summary>
    private static async Task WriteSummaryAsync(string directory)
    {
        var all = new List<ScenarioResult>();
        foreach (var name in new[] { "export", "import", "volume", "probe" })
        {
            var path = Path.Combine(directory, name + ".json");
            if (File.Exists(path)) all.Add(JsonSerializer.Deserialize<ScenarioResult>(await File.ReadAllTextAsync(path), Json)!);
        }
        var md = new StringBuilder("# Benchmark results\n\nWritten by `./dbxsync bench`; one file per scenario (`{scenario}.md`, `{scenario}.json`).\n\n");
        md.Append("| scenario | case | wall | throughput | peak working set | vs raw copy | vs CSV alone | targets | measured |\n|---|---|---:|---:|---:|---:|---:|---|---|\n");
        foreach (var r in all)
            foreach (var c in r.Cases)
            {
                var raw = c.Limits.FirstOrDefault(l => l.Name.StartsWith("raw", StringComparison.Ordinal));
                var csv = c.Limits.FirstOrDefault(l => l.Name.StartsWith("csv", StringComparison.Ordinal));
                md.Append(F($"| {r.Scenario} | {c.Case} | {c.WallSeconds:F2} s | {ThroughputText(c)} | {c.PeakWorkingSetMiB:F0} MiB | {(raw is null ? "-" : F($"{raw.Ratio:F2}x"))} | {(csv is null ? "-" : F($"{csv.Ratio:F2}x"))} | {TargetsText(c)} | {r.StartedAt:yyyy-MM-dd HH:mm} |\n"));
            }
        if (all.Count > 0) md.Append($"\nMachine: {all[0].Machine}\n");
        await File.WriteAllTextAsync(Path.Combine(directory, "README.md"), md.ToString());
    }

    private static string Markdown(ScenarioResult r)
    {
        var md = new StringBuilder();
        md.Append($"# Benchmark: {r.Scenario}\n\nCommand: `{r.Command}`  \nMeasured: {r.StartedAt:yyyy-MM-dd HH:mm} UTC  \nMachine: {r.Machine}\n\n");
        md.Append("| case | wall | run (duration_ms) | rows | files | bytes | throughput | peak working set |\n|---|---:|---:|---:|---:|---:|---:|---:|\n");
        foreach (var c in r.Cases)
            md.Append(F($"| {c.Case} | {c.WallSeconds:F2} s | {(c.RunSeconds is { } s ? F($"{s:F2} s") : "-")} | {c.Rows:N0} | {c.Files:N0} | {c.Bytes:N0} | {ThroughputText(c)} | {c.PeakWorkingSetMiB:F0} MiB |\n"));
        md.Append("\n## Limits of each path (same run, same endpoints)\n\n| case | limit | limit time | our time / limit |\n|---|---|---:|---:|\n");
        foreach (var c in r.Cases)
            foreach (var l in c.Limits)
                md.Append(F($"| {c.Case} | {l.Name} | {l.Seconds:F2} s | {l.Ratio:F2}x |\n"));
        md.Append("\n## Targets\n\n| case | target | result | detail |\n|---|---|---|---|\n");
        foreach (var c in r.Cases)
            foreach (var t in c.Targets)
                md.Append($"| {c.Case} | {t.Name} | {(t.Met ? "met" : "**missed**")} | {t.Detail} |\n");
        var notes = r.Cases.Where(c => c.Note is not null).ToList();
        if (notes.Count > 0)
        {
            md.Append("\n## Notes\n\n");
            foreach (var c in notes) md.Append($"- {c.Case}: {c.Note}\n");
        }
        return md.ToString();
    }

    private static string TargetsText(CaseResult c) => c.Targets.Count == 0 ? "-" : string.Join("; ", c.Targets.Select(t => (t.Met ? "met: " : "**missed**: ") + t.Name));

    public static string ThroughputText(CaseResult c) => c.ThroughputUnit switch
    {
        "MB/s" => F($"{c.Throughput:F1} MB/s"),
        _ => F($"{c.Throughput:N0} {c.ThroughputUnit}"),
    };

    private static string F(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);
}
