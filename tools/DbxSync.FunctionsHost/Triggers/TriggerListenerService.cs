using DbxSync.FunctionsHost.Configuration;
using DbxSync.FunctionsHost.Worker;

namespace DbxSync.FunctionsHost.Triggers;

/// <summary>
/// Starts one listener per non-HTTP trigger once the first worker has reported its functions. Listeners outlive
/// worker restarts: each invocation goes to whichever worker is current.
/// </summary>
public sealed class TriggerListenerService(
    WorkerSupervisor supervisor,
    AppSettings settings,
    HostJson hostJson,
    FunctionInvoker invoker,
    BlobTriggerService blobs,
    TimerTriggerFactory timers,
    SingletonListenerLock singleton,
    LocalHostOptions options,
    QueueMessageWatcher queueWatcher,
    ILoggerFactory loggers) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        WorkerConnection worker;
        try
        {
            worker = await supervisor.GetReadyAsync(stoppingToken);
        }
        catch (OperationCanceledException)
        {
            return;
        }

        var log = loggers.CreateLogger("Host.Triggers");
        var listeners = new List<Task>();
        foreach (var function in worker.Functions.Values)
        {
            if (settings.IsDisabled(function.Name))
            {
                log.LogInformation("{Function} is disabled by its AzureWebJobs.{Function}.Disabled setting.", function.Name, function.Name);
                continue;
            }

            Func<Task>? run = function.TriggerType switch
            {
                "queuetrigger" => () => new QueueTriggerListener(function, settings, hostJson.Queues, options.QueueProcessingWindow, invoker, queueWatcher, loggers.CreateLogger("Host.Queue")).RunAsync(stoppingToken),
                "blobtrigger" => () => blobs.RunAsync(function, stoppingToken),
                // Across instances sharing the host id, only the holder of the listener lock runs a schedule.
                "timertrigger" => () => singleton.RunAsync(function, timers.Create(function).RunAsync, stoppingToken),
                "httptrigger" => null,
                _ => null,
            };
            if (run is null)
            {
                if (function.TriggerType != "httptrigger")
                    log.LogWarning("{Function}: {Trigger} triggers are not supported by the local host; it will not run.", function.Name, function.TriggerType);
                continue;
            }

            listeners.Add(Task.Run(async () =>
            {
                while (!stoppingToken.IsCancellationRequested)
                {
                    try
                    {
                        await run();
                        return;
                    }
                    catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
                    {
                        return;
                    }
                    catch (Exception exception)
                    {
                        // Storage not up yet, a bad setting fixed later: say so and try again, as the real listeners do.
                        log.LogError("{Function}: the {Trigger} listener failed, retrying in 5 s: {Message}", function.Name, function.TriggerType, exception.Message);
                        await Task.Delay(TimeSpan.FromSeconds(5), stoppingToken).ContinueWith(_ => { }, TaskScheduler.Default);
                    }
                }
            }, stoppingToken));
        }

        await Task.WhenAll(listeners);
    }
}
