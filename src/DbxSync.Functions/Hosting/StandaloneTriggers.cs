namespace DbxSync.Functions.Hosting;

public static class StandaloneTriggers
{
    /// <summary>
    /// The triggers the Functions host would otherwise own, for `serve` mode only. Extension point: the blob-events
    /// queue poller joins here at merge.
    /// </summary>
    public static IServiceCollection AddStandaloneTriggers(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddHostedService<SchedulerTimerService>();
        return services;
    }
}
