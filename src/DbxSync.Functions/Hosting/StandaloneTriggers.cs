namespace DbxSync.Functions.Hosting;

public static class StandaloneTriggers
{
    /// <summary>The triggers the Functions host would otherwise own, for `serve` mode only: the timer and the blob-events queue.</summary>
    public static IServiceCollection AddStandaloneTriggers(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddHostedService<SchedulerTimerService>();
        services.AddHostedService<BlobEventQueuePoller>();
        return services;
    }
}
