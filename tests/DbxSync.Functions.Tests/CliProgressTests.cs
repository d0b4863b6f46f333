using System.Text.Json.Nodes;
using DbxSync.Cli;
using Xunit;

namespace DbxSync.Functions.Tests;

/// <summary>./dbxsync run's rate and ETA (ProgressRate) and its log lines without a terminal (RunCommand.LogLinesAsync).</summary>
public sealed class CliProgressTests
{
    private static readonly DateTimeOffset T0 = new(2026, 12, 5, 12, 0, 0, TimeSpan.Zero);

    private static ProgressSample Rows(double seconds, long done, long? total = 200_000, string stage = "export")
        => new(stage, "rows", done, total, done * 50, null, T0.AddSeconds(seconds));

    [Fact]
    public void The_ETA_comes_from_the_rate_between_the_servers_times_and_counts_down_between_values()
    {
        var rate = new ProgressRate();
        rate.Add(Rows(0, 0));
        Assert.Null(rate.Remaining(T0));
        rate.Add(Rows(2, 40_000));
        Assert.Equal(20_000, rate.ItemsPerSecond!.Value, 3);
        Assert.Equal(TimeSpan.FromSeconds(8), rate.Remaining(T0.AddSeconds(2)));
        Assert.Equal(TimeSpan.FromSeconds(5), rate.Remaining(T0.AddSeconds(5)));
        Assert.Equal(0.2, rate.Fraction!.Value, 3);
    }

    [Fact]
    public void One_fast_second_moves_the_ETA_a_little_not_wildly()
    {
        var rate = new ProgressRate();
        rate.Add(Rows(0, 0));
        for (var s = 1; s <= 5; s++) rate.Add(Rows(s, s * 10_000));
        var before = rate.Remaining(T0.AddSeconds(5))!.Value;
        // A burst: 60,000 rows in one second (six times the rate so far).
        rate.Add(Rows(6, 110_000));
        var after = rate.Remaining(T0.AddSeconds(6))!.Value;
        var naive = TimeSpan.FromSeconds(90_000 / 60_000.0);
        Assert.InRange(after.TotalSeconds, naive.TotalSeconds * 2, before.TotalSeconds);
    }

    [Fact]
    public void No_ETA_when_the_total_is_unknown_or_nothing_moves_and_a_new_stage_starts_over()
    {
        var rate = new ProgressRate();
        rate.Add(Rows(0, 0, total: null));
        rate.Add(Rows(2, 10_000, total: null));
        Assert.Null(rate.Remaining(T0.AddSeconds(2)));
        Assert.Null(rate.Fraction);
        Assert.Contains("5,000 rows/s", ProgressLine.Describe(rate, T0.AddSeconds(2)));

        rate.Add(Rows(3, 0, total: 1_000, stage: "stage"));
        rate.Add(Rows(5, 0, total: 1_000, stage: "stage"));
        Assert.Null(rate.Remaining(T0.AddSeconds(5)));
        Assert.DoesNotContain("ETA", ProgressLine.Describe(rate, T0.AddSeconds(5)));
    }

    [Fact]
    public void Files_with_a_byte_total_get_a_bar_and_an_ETA_from_bytes()
    {
        var rate = new ProgressRate();
        rate.Add(new ProgressSample("transfer", "files", 0, null, 0, 100 * 1024 * 1024, T0));
        rate.Add(new ProgressSample("transfer", "files", 1, null, 25 * 1024 * 1024, 100 * 1024 * 1024, T0.AddSeconds(5)));
        Assert.Equal(0.25, rate.Fraction!.Value, 3);
        Assert.Equal(TimeSpan.FromSeconds(15), rate.Remaining(T0.AddSeconds(5)));
        var line = ProgressLine.Describe(rate, T0.AddSeconds(5));
        Assert.Equal("transfer 1 files · 25.0 MiB of 100.0 MiB · 5.0 MiB/s · ETA 15 s", line);
    }

    [Fact]
    public async Task Without_a_terminal_the_run_is_logged_on_each_stage_change_and_ends_with_the_record()
    {
        // As GET .../runs/{id} answers them.
        static JsonObject Run(string outcome, string? stage, long done, string at) => JsonNode.Parse(stage is null
            ? $$"""{"outcome":"{{outcome}}","progress":null}"""
            : $$$"""{"outcome":"{{{outcome}}}","progress":{"stage":"{{{stage}}}","done":{{{done}}},"total":20000,"unit":"rows","bytes":{{{done * 10}}},"bytes_total":null,"updated_at":"{{{at}}}"}}""")!.AsObject();
        var records = new[]
        {
            Run("queued", null, 0, ""),
            Run("running", "query", 0, "2026-12-05T12:00:00Z"),
            Run("running", "export", 10_000, "2026-12-05T12:00:01Z"),
            Run("running", "export", 15_000, "2026-12-05T12:00:02Z"),
            Run("succeeded", "export", 20_000, "2026-12-05T12:00:03Z"),
        };
        var output = new StringWriter();
        var last = await RunCommand.LogLinesAsync(records.ToAsyncEnumerable(), output);

        Assert.Equal("succeeded", (string?)last!["outcome"]);
        var lines = output.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(3, lines.Length);
        Assert.EndsWith("] queued", lines[0]);
        Assert.Contains("query 0/20,000 rows", lines[1]);
        Assert.Contains("export 10,000/20,000 rows · 97.7 KiB", lines[2]);
    }
}
