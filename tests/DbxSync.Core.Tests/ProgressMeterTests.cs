using DbxSync.Core.Syncs;

namespace DbxSync.Core.Tests;

/// <summary>ProgressMeter: every row counted, at most one report per interval, phase changes and exact counts reported at once.</summary>
public sealed class ProgressMeterTests
{
    private sealed class ManualClock : TimeProvider
    {
        public long Ticks { get; set; } = TimeSpan.FromSeconds(10).Ticks;
        public override long TimestampFrequency => TimeSpan.TicksPerSecond;
        public override long GetTimestamp() => Ticks;
        public void Advance(TimeSpan by) => Ticks += by.Ticks;
    }

    private sealed class Reports : IProgress<SyncProgress>
    {
        public List<SyncProgress> Values { get; } = [];
        public void Report(SyncProgress value) { lock (Values) Values.Add(value); }
    }

    [Fact]
    public void Rows_added_within_one_interval_make_one_report_and_the_next_interval_reports_the_running_totals()
    {
        var clock = new ManualClock();
        var reports = new Reports();
        var meter = new ProgressMeter(reports, "export", "rows", total: 50_000, time: clock);

        for (var i = 0; i < 10_000; i++) meter.Add(1, 80);
        Assert.Single(reports.Values);
        Assert.Equal(new SyncProgress("export", 1, 50_000, "rows", 80), reports.Values[0]);

        clock.Advance(ProgressMeter.ReportInterval - TimeSpan.FromMilliseconds(1));
        meter.Add(1, 80);
        Assert.Single(reports.Values);
        clock.Advance(TimeSpan.FromMilliseconds(1));
        meter.Add(1, 80);
        Assert.Equal(2, reports.Values.Count);
        Assert.Equal(new SyncProgress("export", 10_002, 50_000, "rows", 10_002 * 80), reports.Values[1]);
    }

    [Fact]
    public void A_phase_change_and_exact_counts_are_reported_at_once()
    {
        var clock = new ManualClock();
        var reports = new Reports();
        var meter = new ProgressMeter(reports, "query", "rows", time: clock);
        meter.Set(400, 32_000);
        meter.Enter("export");
        Assert.Equal(["query", "export"], reports.Values.Select(v => v.Stage));
        Assert.All(reports.Values, v => Assert.Equal((400L, 32_000L), (v.Done, v.Bytes)));
    }

    [Fact]
    public async Task A_tracked_stream_counts_its_bytes_as_read_and_a_seek_back_uncounts_them()
    {
        var meter = new ProgressMeter(null, "transfer", "files", total: 1, bytesTotal: 1_000);
        await using var stream = meter.Track(new MemoryStream(new byte[1_000]));
        var buffer = new byte[300];
        Assert.Equal(300, await stream.ReadAsync(buffer));
        Assert.Equal(300, stream.Read(buffer, 0, 300));
        Assert.Equal(600, meter.Bytes);
        Assert.True(stream.CanSeek);
        stream.Position = 0;
        Assert.Equal(0, meter.Bytes);
        await stream.CopyToAsync(Stream.Null);
        Assert.Equal(1_000, meter.Bytes);
    }

    [Fact]
    public async Task Parallel_adds_are_all_counted()
    {
        var meter = new ProgressMeter(new Reports(), "transfer", "files");
        await Parallel.ForAsync(0, 8, async (_, _) => { for (var i = 0; i < 10_000; i++) meter.Add(1, 3); await Task.Yield(); });
        Assert.Equal((80_000L, 240_000L), (meter.Done, meter.Bytes));
    }
}
