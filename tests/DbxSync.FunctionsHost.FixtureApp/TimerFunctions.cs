using Microsoft.Azure.Functions.Worker;

namespace DbxSync.FunctionsHost.FixtureApp;

public sealed class TimerFunctions(Journal journal)
{
    [Function("Tick")]
    public Task Tick([TimerTrigger("%FIXTURE_TIMER_SCHEDULE%", RunOnStartup = true, UseMonitor = true)] TimerInfo timer) =>
        journal.WriteAsync("timer", new
        {
            isPastDue = timer.IsPastDue,
            last = timer.ScheduleStatus?.Last,
            next = timer.ScheduleStatus?.Next,
            lastUpdated = timer.ScheduleStatus?.LastUpdated,
        });
}
