namespace DbxSync.FunctionsHost.Tests;

[Collection(HostCollection.Name)]
public sealed class TimerTriggerTests(HostFixture fixture)
{
    [Fact]
    public async Task RunOnStartup_invokes_once_at_start_with_a_schedule_status_from_the_resolved_setting()
    {
        var entry = (await fixture.WaitForJournalAsync("timer", e => e.GetProperty("function").GetString() == "Tick")).Single();
        Assert.False(entry.GetProperty("isPastDue").GetBoolean());
        // %FIXTURE_TIMER_SCHEDULE% is "0 0 0 1 1 *": the next occurrence is midnight on the coming 1 January.
        var next = entry.GetProperty("next").GetDateTime();
        Assert.Equal(new DateTime(DateTime.Now.Year + 1, 1, 1), next);
    }

    [Fact]
    public async Task A_missed_occurrence_in_the_monitor_status_runs_once_at_start_as_past_due()
    {
        var entry = (await fixture.WaitForJournalAsync("timer", e => e.GetProperty("function").GetString() == "MissedTick")).Single();
        Assert.True(entry.GetProperty("isPastDue").GetBoolean());
        Assert.Equal(HostFixture.MissedLast, entry.GetProperty("last").GetDateTime());
        Assert.Equal(HostFixture.MissedNext, entry.GetProperty("next").GetDateTime());
    }
}
