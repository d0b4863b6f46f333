using System.Globalization;
using DbxSync.Bench;
using Spectre.Console;

// ./dbxsync bench [export|import|volume|probe|all] [--rows N] [--files N] [--large-mib N] [--configs N] [--out DIR]
// Runs against the local stack (./dbxsync bench starts it when it is not up) and measures the app process started by it.
var scenarios = new List<string>();
long rows = 1_000_000, largeMiB = 1024;
int files = 2_000, configs = 500;
var configsSet = false;
string? outDir = null;
for (var i = 0; i < args.Length; i++)
{
    string Next() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value");
    switch (args[i])
    {
        case "--rows": rows = long.Parse(Next(), CultureInfo.InvariantCulture); break;
        case "--files": files = int.Parse(Next(), CultureInfo.InvariantCulture); break;
        case "--large-mib": largeMiB = long.Parse(Next(), CultureInfo.InvariantCulture); break;
        case "--configs": configs = int.Parse(Next(), CultureInfo.InvariantCulture); configsSet = true; break;
        case "--out": outDir = Next(); break;
        case "all": scenarios.AddRange(["export", "import", "volume", "probe", "console"]); break;
        case "export" or "import" or "volume" or "probe" or "console": scenarios.Add(args[i]); break;
        default:
            AnsiConsole.MarkupLine($"[red]unknown argument {Markup.Escape(args[i])}[/]; usage: ./dbxsync bench [export|import|volume|probe|console|all] [--rows N] [--files N] [--large-mib N] [--configs N] [--out DIR]");
            return 2;
    }
}
if (scenarios.Count == 0) scenarios.AddRange(["export", "import", "volume", "probe"]);

if (Console.IsOutputRedirected) AnsiConsole.Profile.Width = 220;
using var cts = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) => { e.Cancel = true; cts.Cancel(); };
using var ctx = new BenchContext();
outDir ??= Path.Combine(ctx.Root, "bench", "results");
var machine = Results.Machine();
AnsiConsole.MarkupLine($"[bold]DbxSync bench[/] {Markup.Escape(string.Join(", ", scenarios))} on {Markup.Escape(machine)}");
var failed = 0;
foreach (var scenario in scenarios.Distinct())
{
    var started = DateTimeOffset.UtcNow;
    var options = new List<string>();
    for (var i = 0; i < args.Length; i++)
        if (args[i].StartsWith("--", StringComparison.Ordinal) && args[i] != "--out" && i + 1 < args.Length) options.Add($" {args[i]} {args[++i]}");
    var command = "./dbxsync bench " + scenario + string.Concat(options);
    try
    {
        var cases = scenario switch
        {
            "export" => await ExportScenario.RunAsync(ctx, rows, cts.Token),
            "import" => await ImportScenario.RunAsync(ctx, rows, cts.Token),
            "volume" => await VolumeScenario.RunAsync(ctx, files, largeMiB * 1024 * 1024, cts.Token),
            "console" => await ConsoleScenario.RunAsync(ctx, configsSet ? configs : 1000, cts.Token),
            _ => await ProbeScenario.RunAsync(ctx, configs, cts.Token),
        };
        var result = new ScenarioResult { Scenario = scenario, Command = command, StartedAt = started, Machine = machine, Cases = cases };
        Results.Print(result);
        await Results.WriteAsync(outDir, result);
        failed += cases.Count(c => c.Targets.Any(t => !t.Met));
    }
    catch (Exception ex) when (ex is not OperationCanceledException)
    {
        AnsiConsole.MarkupLine($"[red bold]{scenario} failed:[/] {Markup.Escape(ex.ToString())}");
        return 1;
    }
}
AnsiConsole.MarkupLine($"results in {Markup.Escape(outDir)}; {(failed == 0 ? "[green]every target met[/]" : $"[yellow]{failed} case(s) missed a target[/]")}");
return 0;
