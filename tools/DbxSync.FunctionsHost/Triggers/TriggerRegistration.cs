namespace DbxSync.FunctionsHost.Triggers;

public static class TriggerRegistration
{
    /// <summary>The host's stand-ins for the trigger extensions: timers, queues, Event Grid-source blobs.</summary>
    public static IServiceCollection AddTriggerListeners(this IServiceCollection services)
    {
        services.AddSingleton<BlobTriggerService>();
        services.AddSingleton<TimerTriggerFactory>();
        services.AddSingleton<SingletonListenerLock>();
        services.AddSingleton<TriggerListenerService>();
        services.AddHostedService(s => s.GetRequiredService<TriggerListenerService>());
        return services;
    }
}
