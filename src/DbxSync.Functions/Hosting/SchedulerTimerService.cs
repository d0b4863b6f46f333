using DbxSync.Core.Runs;
using Microsoft.Extensions.Options;

namespace DbxSync.Functions.Hosting;

/// <summary>Standalone mode's stand-in for the SyncTimer function: one scheduler tick every TickSeconds.</summary>
public sealed class SchedulerTimerService(SyncScheduler scheduler, IOptions<SchedulerSettings> settings, ILogger<SchedulerTimerService> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var period = TimeSpan.FromSeconds(Math.Max(1, settings.Value.TickSeconds));
        logger.LogInformation("Standalone timer: a scheduler tick every {TickSeconds} s", (int)period.TotalSeconds);
        using var timer = new PeriodicTimer(period);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                await scheduler.TickAsync(stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                // One bad tick (storage blip) must not stop the loop: the next tick retries.
                logger.LogError(ex, "Scheduler tick failed");
            }
        }
    }
}
