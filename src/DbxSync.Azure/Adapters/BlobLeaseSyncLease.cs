using DbxSync.Azure.Storage;
using DbxSync.Azure.Storage.Blobs;
using DbxSync.Core.Ports;

namespace DbxSync.Azure.Adapters;

/// <summary>
/// A held lock: renews in the background and cancels <see cref="LeaseLost"/> as soon as it can no longer
/// be sure it still holds the lease, so the work it protects stops before another instance starts.
/// </summary>
internal sealed class BlobLeaseSyncLease : ISyncLease
{
    private static readonly TimeSpan RetryDelay = TimeSpan.FromSeconds(2);

    private readonly BlobLeaseClient _lease;
    private readonly BlobLeaseSyncLockOptions _options;
    private readonly CancellationTokenSource _lost = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _renewal;
    private int _disposed;

    public BlobLeaseSyncLease(BlobLeaseClient lease, BlobLeaseSyncLockOptions options)
    {
        _lease = lease;
        _options = options;
        _renewal = Task.Run(RenewUntilStoppedAsync);
    }

    public CancellationToken LeaseLost => _lost.Token;

    private async Task RenewUntilStoppedAsync()
    {
        var lastRenewed = DateTimeOffset.UtcNow;
        // Give up while some lease time is left, so holders stop before the lease can lapse.
        var giveUpAfter = _options.LeaseDuration - _options.RenewInterval / 2;
        var delay = _options.RenewInterval;
        while (!_stop.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(delay, _stop.Token).ConfigureAwait(false);
                await _lease.RenewAsync(_stop.Token).ConfigureAwait(false);
                lastRenewed = DateTimeOffset.UtcNow;
                delay = _options.RenewInterval;
            }
            catch (OperationCanceledException) when (_stop.IsCancellationRequested)
            {
                return;
            }
            catch (StorageRequestFailedException e) when (!e.IsTransient)
            {
                // Broken, changed or expired and taken: retrying cannot bring it back.
                await _lost.CancelAsync().ConfigureAwait(false);
                return;
            }
            catch (Exception)
            {
                if (DateTimeOffset.UtcNow - lastRenewed >= giveUpAfter)
                {
                    await _lost.CancelAsync().ConfigureAwait(false);
                    return;
                }
                delay = RetryDelay;
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
            return;
        await _stop.CancelAsync().ConfigureAwait(false);
        await _renewal.ConfigureAwait(false);
        if (!_lost.IsCancellationRequested)
        {
            try
            {
                await _lease.ReleaseAsync().ConfigureAwait(false);
            }
            catch (StorageRequestFailedException)
            {
                // Expired or taken: there is nothing left to release, and the lease times out anyway.
            }
        }
        _stop.Dispose();
    }
}
