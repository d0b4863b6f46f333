using System.Globalization;
using System.Text.Json.Nodes;
using Spectre.Console;

namespace DbxSync.Cli;

/// <summary>
/// ./dbxsync run CONFIG_ID: queues a run of a config and follows its record (polled about once a second) until it
/// ends. On a terminal: one bar with rows or files, bytes, rate and ETA. Without one (a pipe, CI): a log line when the
/// stage changes and every <see cref="LogEvery"/>.
/// </summary>
public static class RunCommand
{
    public static readonly TimeSpan PollInterval = TimeSpan.FromSeconds(1);
    public static readonly TimeSpan LogEvery = TimeSpan.FromSeconds(5);

    public static async Task<int> ExecuteAsync(string configId, CancellationToken cancellationToken)
    {
        using var api = ApiClient.FromEnvironment();
        var runs = api.RunAndFollowAsync(configId, PollInterval, cancellationToken);
        var run = AnsiConsole.Profile.Capabilities.Interactive && AnsiConsole.Profile.Capabilities.Ansi
            ? await DrawBarAsync(runs)
            : await LogLinesAsync(runs, Console.Out);
        if (run is null) { AnsiConsole.MarkupLine("[red]The run ended without a result.[/]"); return 1; }
        PrintRun(run);
        return (string?)run["outcome"] is "failed" ? 1 : 0;
    }

    private static async Task<JsonObject?> DrawBarAsync(IAsyncEnumerable<JsonObject> runs)
    {
        JsonObject? run = null;
        await AnsiConsole.Progress()
            .AutoClear(false)
            .Columns(new ProgressBarColumn { Width = 30 }, new PercentageColumn(), new SpinnerColumn(), new TaskDescriptionColumn { Alignment = Justify.Left })
            .StartAsync(async ctx =>
            {
                var task = ctx.AddTask("queued", maxValue: 1);
                task.IsIndeterminate = true;
                var rate = new ProgressRate();
                await foreach (var current in runs)
                {
                    run = current;
                    if (ProgressLine.Read(current) is { } sample) rate.Add(sample);
                    if (rate.Fraction is { } fraction) { task.IsIndeterminate = false; task.Value = fraction; }
                    else task.IsIndeterminate = true;
                    task.Description = Markup.Escape(ProgressLine.Describe(rate, DateTimeOffset.UtcNow, (string?)current["outcome"]));
                }
                if (run?["outcome"] is { } outcome && (string?)outcome is not "failed") { task.IsIndeterminate = false; task.Value = 1; }
                task.StopTask();
            });
        return run;
    }

    /// <summary>Periodic plain lines for logs: "[12:00:05] export 120,000/200,000 rows · 6.1 MiB · 41,200 rows/s · ETA 2 s".</summary>
    public static async Task<JsonObject?> LogLinesAsync(IAsyncEnumerable<JsonObject> runs, TextWriter output)
    {
        JsonObject? run = null;
        var rate = new ProgressRate();
        string? stage = null;
        var lastLine = DateTimeOffset.MinValue;
        await foreach (var current in runs)
        {
            run = current;
            var sample = ProgressLine.Read(current);
            if (sample is not null) rate.Add(sample);
            var now = DateTimeOffset.UtcNow;
            var newStage = sample?.Stage ?? (string?)current["outcome"];
            if (newStage == stage && now - lastLine < LogEvery) continue;
            (stage, lastLine) = (newStage, now);
            await output.WriteLineAsync($"[{now.ToLocalTime().ToString("HH:mm:ss", CultureInfo.InvariantCulture)}] {ProgressLine.Describe(rate, now, (string?)current["outcome"])}");
        }
        return run;
    }

    public static void PrintRun(JsonObject run)
    {
        var table = new Table().AddColumn("field").AddColumn("value");
        foreach (var key in new[] { "run_id", "outcome", "trigger", "from_version", "to_version", "rows", "files", "bytes", "updated_rows", "inserted_rows", "duration_ms", "output", "message", "error" })
            if (run[key] is { } v) table.AddRow(key, Markup.Escape(v.ToString()));
        AnsiConsole.Write(table);
    }
}
