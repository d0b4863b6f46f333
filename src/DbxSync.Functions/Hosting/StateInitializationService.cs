using DbxSync.Core.Ports;
using DbxSync.Core.State;
using DbxSync.Core.Syncs;

namespace DbxSync.Functions.Hosting;

/// <summary>
/// Creates the state tables, blob containers and the sync-runs queue (and its poison queue) once the worker has
/// started, so that nothing slow holds up the worker's start-up. Retries until storage answers; /api/health reports
/// storage as initializing until then.
/// </summary>
public sealed class StateInitializationService(IServiceProvider services, IHostApplicationLifetime lifetime, ILogger<StateInitializationService> logger) : IHostedService
{
    private volatile string? _lastError = "not started";

    public bool IsReady { get; private set; }
    public string? LastError => _lastError;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        lifetime.ApplicationStarted.Register(() => _ = Task.Run(() => InitializeAsync(lifetime.ApplicationStopping)));
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    private async Task InitializeAsync(CancellationToken cancellationToken)
    {
        var store = services.GetService<IStateStore>();
        var blobs = services.GetService<IBlobStore>();
        var queue = services.GetService<StorageRunQueue>();
        if (store is null || blobs is null)
        {
            _lastError = "the storage adapters are not configured";
            logger.LogWarning("No state store or blob store is registered; the storage adapter is not wired");
            return;
        }
        for (var attempt = 1; !cancellationToken.IsCancellationRequested; attempt++)
        {
            try
            {
                foreach (var table in StateTables.All)
                    await store.EnsureTableAsync(table, cancellationToken);
                foreach (var container in BlobContainers.All)
                    await blobs.EnsureContainerAsync(container, cancellationToken);
                if (queue is not null) await queue.Client.CreateIfNotExistsAsync(cancellationToken: cancellationToken);
                IsReady = true;
                _lastError = null;
                logger.LogInformation("Storage ready: {Tables} tables, {Containers} containers", StateTables.All.Length, BlobContainers.All.Length);
                return;
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                _lastError = ex.Message;
                logger.LogError("Could not prepare storage (attempt {Attempt}): {Error}; retrying", attempt, ex.Message);
                await Task.Delay(TimeSpan.FromSeconds(Math.Min(30, attempt * 2)), cancellationToken);
            }
        }
    }
}
