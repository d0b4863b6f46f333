using Microsoft.Azure.Functions.Worker;

namespace DbxSync.FunctionsHost.FixtureApp;

public sealed class TimerFunctions(Journal journal)
{
    [Function("Tick")]
    public Task Tick([TimerTrigger("%FIXTURE_TIMER_SCHEDULE%", RunOnStartup = true, UseMonitor = true)] TimerInfo timer) => Report("Tick", timer);

    /// <summary>No runOnStartup: it runs at start only when its recorded schedule status says an occurrence was missed.</summary>
    [Function("MissedTick")]
    public Task MissedTick([TimerTrigger("%FIXTURE_TIMER_SCHEDULE%", UseMonitor = true)] TimerInfo timer) => Report("MissedTick", timer);

    private Task Report(string function, TimerInfo timer) =>
        journal.WriteAsync("timer", new
        {
            function,
            isPastDue = timer.IsPastDue,
            last = timer.ScheduleStatus?.Last,
            next = timer.ScheduleStatus?.Next,
            lastUpdated = timer.ScheduleStatus?.LastUpdated,
        });
}
