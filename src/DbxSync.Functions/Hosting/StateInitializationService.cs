using DbxSync.Core.Ports;
using DbxSync.Core.State;

namespace DbxSync.Functions.Hosting;

/// <summary>
/// Creates the state tables once the server is already listening: the Functions host only waits ~30 s for the
/// port, so nothing slow may run before it. Failures are logged, not fatal; health reports the storage state.
/// </summary>
public sealed class StateInitializationService(IServiceProvider services, IHostApplicationLifetime lifetime, ILogger<StateInitializationService> logger) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        lifetime.ApplicationStarted.Register(() => _ = Task.Run(() => EnsureTablesAsync(lifetime.ApplicationStopping)));
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    private async Task EnsureTablesAsync(CancellationToken cancellationToken)
    {
        var store = services.GetService<IStateStore>();
        if (store is null)
        {
            logger.LogWarning("No state store is registered; the storage adapter is not wired");
            return;
        }
        try
        {
            foreach (var table in StateTables.All)
                await store.EnsureTableAsync(table, cancellationToken);
            logger.LogInformation("State tables ready ({Count})", StateTables.All.Length);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            logger.LogError(ex, "Could not create the state tables; requests that need them will fail until storage is reachable");
        }
    }
}
