using Azure;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Azure.Storage.Blobs.Specialized;
using DbxSync.FunctionsHost.Configuration;
using DbxSync.FunctionsHost.Worker;

namespace DbxSync.FunctionsHost.Triggers;

/// <summary>
/// The singleton listener lock the WebJobs SDK puts around every timer listener (the timer extension's TimerListener
/// carries <c>[Singleton(Mode = SingletonMode.Listener)]</c>), so that of all instances sharing a host id only one
/// runs the schedule:
/// <list type="bullet">
/// <item>the lock is a blob lease on <c>azure-webjobs-hosts/locks/{hostId}/{function full name}.Listener</c>
/// (SingletonListener appends ".Listener" to SingletonManager.FormatLockId's "{hostId}/{FullName}";
/// BlobLeaseDistributedLockManager.GetLockPath prefixes "locks/");</item>
/// <item>leased for SingletonOptions.ListenerLockPeriod (60 s, the longest lease Storage grants) and renewed at half the
/// period (SingletonManager.CreateLeaseRenewalTimer), sooner after a 5xx (LinearSpeedupStrategy);</item>
/// <item>an instance that does not get the lock polls for it every ListenerLockRecoveryPollingInterval (1 minute),
/// so after the holder dies the lock passes once its lease has lapsed;</item>
/// <item>a graceful stop releases the lease (SingletonListener.StopAsync). A renewal refused with a 4xx means the lock
/// is lost: the SDK throws and the host restarts; here the listener stops and the instance polls again.</item>
/// </list>
/// </summary>
public sealed class SingletonListenerLock(AppSettings settings, LocalHostOptions options, BlobTriggerService blobs, ILoggerFactory loggers)
{
    private readonly ILogger _log = loggers.CreateLogger("Host.Singleton");

    /// <summary>Runs <paramref name="listener"/> while this instance holds the function's listener lock; returns when stopped.</summary>
    public async Task RunAsync(FunctionDescriptor function, Func<CancellationToken, Task> listener, CancellationToken cancellationToken)
    {
        var lockId = $"{blobs.HostId}/{function.FullName}.Listener";
        var blob = new BlobContainerClient(settings.StorageConnection(null), BlobTriggerService.HostsContainer).GetBlobClient($"locks/{lockId}");
        var waiting = false;
        while (!cancellationToken.IsCancellationRequested)
        {
            var lease = await TryAcquireAsync(blob, cancellationToken);
            if (lease is null)
            {
                if (!waiting)
                    _log.LogInformation("Unable to acquire Singleton lock ({LockId}): another instance runs {Function}; trying again every {Interval} s.",
                        lockId, function.Name, options.ListenerLockRecoveryInterval.TotalSeconds);
                waiting = true;
                await Task.Delay(options.ListenerLockRecoveryInterval, cancellationToken);
                continue;
            }

            waiting = false;
            _log.LogInformation("Singleton lock acquired ({LockId}), lease {Period} s: {Function} runs on this instance.", lockId, options.ListenerLockPeriod.TotalSeconds, function.Name);
            using var held = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            var lost = false;
            var renewing = Task.Run(async () =>
            {
                lost = !await RenewWhileHeldAsync(lease, lockId, held.Token);
                if (lost)
                    await held.CancelAsync();
            }, CancellationToken.None);
            try
            {
                await listener(held.Token);
            }
            catch (OperationCanceledException) when (held.IsCancellationRequested)
            {
            }
            finally
            {
                await held.CancelAsync();
                await renewing;
                if (!lost)
                    await ReleaseAsync(lease, lockId);
            }

            if (lost)
                _log.LogWarning("Singleton lock lost ({LockId}): {Function} stopped on this instance.", lockId, function.Name);
        }
    }

    private async Task<BlobLeaseClient?> TryAcquireAsync(BlobClient blob, CancellationToken cancellationToken)
    {
        var lease = blob.GetBlobLeaseClient();
        try
        {
            // As BlobLeaseDistributedLockManager.TryAcquireLeaseAsync: look at the lease state first, so a held lock
            // costs a read rather than a 409 every poll.
            var state = (await blob.GetPropertiesAsync(cancellationToken: cancellationToken)).Value.LeaseState;
            if (state is LeaseState.Leased or LeaseState.Breaking)
                return null;
        }
        catch (RequestFailedException exception) when (exception.Status == 404)
        {
            await blob.GetParentBlobContainerClient().CreateIfNotExistsAsync(cancellationToken: cancellationToken);
            try
            {
                await blob.UploadAsync(BinaryData.Empty, new BlobUploadOptions { Conditions = new BlobRequestConditions { IfNoneMatch = ETag.All } }, cancellationToken);
            }
            catch (RequestFailedException created) when (created.Status is 409 or 412)
            {
                // Another instance created it first.
            }
        }

        try
        {
            await lease.AcquireAsync(options.ListenerLockPeriod, cancellationToken: cancellationToken);
            return lease;
        }
        catch (RequestFailedException exception) when (exception.Status == 409)
        {
            return null;
        }
    }

    /// <summary>Renews at half the lease period until stopped (true) or until Storage refuses the lease (false).</summary>
    private async Task<bool> RenewWhileHeldAsync(BlobLeaseClient lease, string lockId, CancellationToken stop)
    {
        var normal = options.ListenerLockPeriod / 2;
        var pacing = new LinearSpeedup(normal, TimeSpan.FromSeconds(1));
        var delay = normal;
        while (true)
        {
            try
            {
                await Task.Delay(delay, stop);
            }
            catch (OperationCanceledException)
            {
                return true;
            }

            try
            {
                await lease.RenewAsync(cancellationToken: CancellationToken.None);
                delay = pacing.Next(true);
            }
            catch (RequestFailedException exception) when (exception.Status is >= 500 and < 600 or 0)
            {
                // A server error (or, here, a dropped connection): try again sooner, before the lease runs out.
                _log.LogWarning("Singleton lock renewal failed for blob '{LockId}' with error code {Status}.", lockId, exception.Status);
                delay = pacing.Next(false);
            }
            catch (RequestFailedException exception)
            {
                _log.LogError("Singleton lock renewal failed for blob '{LockId}' with error code {Status}: {Message}", lockId, exception.Status, exception.Message);
                return false;
            }
        }
    }

    private async Task ReleaseAsync(BlobLeaseClient lease, string lockId)
    {
        try
        {
            await lease.ReleaseAsync(cancellationToken: CancellationToken.None);
            _log.LogInformation("Singleton lock released ({LockId}).", lockId);
        }
        catch (RequestFailedException exception) when (exception.Status is 404 or 409)
        {
            // Gone or already someone else's: nothing to release (as BlobLeaseDistributedLockManager.ReleaseLeaseAsync).
        }
        catch (RequestFailedException exception)
        {
            _log.LogWarning("Singleton lock ({LockId}) could not be released; it lapses with its lease: {Message}", lockId, exception.Message);
        }
    }
}
