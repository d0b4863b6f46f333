using Azure;
using Azure.Storage.Blobs.Specialized;
using DbxSync.Core.Ports;

namespace DbxSync.Azure.Adapters;

/// <summary>
/// A held lock: renews in the background and cancels <see cref="LeaseLost"/> as soon as it can no longer be sure
/// it still holds the lease, so the work it protects stops before another instance can take over. Each renewal is
/// bounded by RenewTimeout, and no attempt is started that could end after the lease might have lapsed.
/// </summary>
internal sealed class BlobLeaseSyncLease : ISyncLease
{
    private readonly BlobLeaseClient _lease;
    private readonly BlobLeaseSyncLockOptions _options;
    private readonly CancellationTokenSource _lost = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _renewal;
    private int _disposed;

    public BlobLeaseSyncLease(BlobLeaseClient lease, BlobLeaseSyncLockOptions options, DateTimeOffset acquiredAt)
    {
        _lease = lease;
        _options = options;
        _renewal = Task.Run(() => RenewUntilStoppedAsync(acquiredAt));
    }

    public CancellationToken LeaseLost => _lost.Token;

    private async Task RenewUntilStoppedAsync(DateTimeOffset heldSince)
    {
        var delay = _options.RenewInterval;
        while (!_stop.IsCancellationRequested)
        {
            var attemptAt = DateTimeOffset.UtcNow;
            try
            {
                await Task.Delay(delay, _stop.Token).ConfigureAwait(false);
                attemptAt = DateTimeOffset.UtcNow;
                using var call = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token);
                call.CancelAfter(_options.RenewTimeout);
                await _lease.RenewAsync(cancellationToken: call.Token).ConfigureAwait(false);
                heldSince = attemptAt;
                delay = _options.RenewInterval;
            }
            catch (OperationCanceledException) when (_stop.IsCancellationRequested)
            {
                return;
            }
            catch (RequestFailedException e) when (e.Status is >= 400 and < 500 and not 408 and not 429)
            {
                // Broken, changed, or expired and taken: retrying cannot bring it back.
                await _lost.CancelAsync().ConfigureAwait(false);
                return;
            }
            catch (Exception)
            {
                // Hung (timed out) or transient. Another try only if it could finish while the lease surely still runs.
                delay = _options.RetryDelay;
                if (DateTimeOffset.UtcNow + delay + _options.RenewTimeout >= heldSince + _options.LeaseDuration)
                {
                    await _lost.CancelAsync().ConfigureAwait(false);
                    return;
                }
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
                using var timeout = new CancellationTokenSource(_options.RenewTimeout);
                await _lease.ReleaseAsync(cancellationToken: timeout.Token).ConfigureAwait(false);
            }
            catch (Exception e) when (e is RequestFailedException or OperationCanceledException)
            {
                // Expired, taken or unreachable: the lease times out on its own anyway.
            }
        }
        _stop.Dispose();
    }
}
