using System.Text.Json.Nodes;
using Spectre.Console;

namespace DbxSync.Cli;

/// <summary>./dbxsync run CONFIG_ID: queues a run of a config and draws its progress by polling the run until it ends.</summary>
public static class RunCommand
{
    public static async Task<int> ExecuteAsync(string configId, CancellationToken cancellationToken)
    {
        using var api = ApiClient.FromEnvironment();
        JsonObject? run = null;
        await AnsiConsole.Progress()
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn(), new SpinnerColumn())
            .StartAsync(async ctx =>
            {
                var tasks = new Dictionary<string, ProgressTask>();
                await foreach (var current in api.RunAndFollowAsync(configId, TimeSpan.FromMilliseconds(500), cancellationToken))
                {
                    run = current;
                    if (current["progress"] is not JsonObject progress) continue;
                    var stage = (string?)progress["stage"] ?? "work";
                    var done = (double?)progress["done"] ?? 0;
                    var total = (double?)progress["total"];
                    var unit = (string?)progress["unit"] ?? "";
                    if (!tasks.TryGetValue(stage, out var task))
                        tasks[stage] = task = ctx.AddTask(stage, maxValue: total ?? Math.Max(1, done));
                    if (total is { } t) task.MaxValue = Math.Max(t, 1);
                    else if (done > task.MaxValue) { task.IsIndeterminate = true; task.MaxValue = done; }
                    task.Value = done;
                    task.Description = $"{stage} {done:N0}{(total is null ? "" : $"/{total:N0}")} {unit}";
                }
                foreach (var t in tasks.Values) { t.Value = t.MaxValue; t.StopTask(); }
            });
        if (run is null) { AnsiConsole.MarkupLine("[red]The run ended without a result.[/]"); return 1; }
        PrintRun(run);
        return (string?)run["outcome"] is "failed" ? 1 : 0;
    }

    public static void PrintRun(JsonObject run)
    {
        var table = new Table().AddColumn("field").AddColumn("value");
        foreach (var key in new[] { "run_id", "outcome", "trigger", "from_version", "to_version", "rows", "files", "bytes", "updated_rows", "inserted_rows", "duration_ms", "output", "message", "error" })
            if (run[key] is { } v) table.AddRow(key, Markup.Escape(v.ToString()));
        AnsiConsole.Write(table);
    }
}
