using DbxSync.Azure.Storage;
using DbxSync.Azure.Storage.Blobs;
using Azure;
using DbxSync.Core.Ports;

namespace DbxSync.Azure.Adapters;

public sealed record BlobLeaseSyncLockOptions
{
    public string Container { get; init; } = "locks";
    /// <summary>Short enough that a crashed holder frees the lock within a minute.</summary>
    public TimeSpan LeaseDuration { get; init; } = TimeSpan.FromSeconds(60);
    /// <summary>A third of the duration leaves two more tries before the lease could lapse.</summary>
    public TimeSpan RenewInterval { get; init; } = TimeSpan.FromSeconds(20);
}

/// <summary><see cref="ISyncLock"/> as one leased blob per lock name in the locks container.</summary>
public sealed class BlobLeaseSyncLock(BlobServiceClient service, BlobLeaseSyncLockOptions? options = null) : ISyncLock
{
    private readonly BlobLeaseSyncLockOptions _options = options ?? new BlobLeaseSyncLockOptions();
    private volatile bool _containerEnsured;
    // Lock blobs known to exist: a timer probe of many configs then costs one Acquire per run, not a failing Put Blob too.
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, bool> _knownBlobs = new(StringComparer.Ordinal);

    public async Task<ISyncLease?> TryAcquireAsync(string lockName, CancellationToken cancellationToken = default)
    {
        var container = service.GetBlobContainerClient(_options.Container);
        if (!_containerEnsured)
        {
            await container.CreateIfNotExistsAsync(cancellationToken).ConfigureAwait(false);
            _containerEnsured = true;
        }

        var blob = container.GetBlobClient(lockName);
        if (!_knownBlobs.ContainsKey(lockName))
        {
            await EnsureLockBlobAsync(blob, cancellationToken).ConfigureAwait(false);
            _knownBlobs[lockName] = true;
        }
        var lease = blob.GetLeaseClient();
        try
        {
            await lease.AcquireAsync(_options.LeaseDuration, cancellationToken).ConfigureAwait(false);
        }
        catch (StorageRequestFailedException e) when (e.Status == 409 && e.ErrorCode is "LeaseAlreadyPresent" or null)
        {
            return null;
        }
        catch (StorageRequestFailedException e) when (e.Status == 404)
        {
            // The blob (or the container) went away since it was created here: create it again and try once more.
            _knownBlobs.TryRemove(lockName, out _);
            await container.CreateIfNotExistsAsync(cancellationToken).ConfigureAwait(false);
            await EnsureLockBlobAsync(blob, cancellationToken).ConfigureAwait(false);
            _knownBlobs[lockName] = true;
            try
            {
                await lease.AcquireAsync(_options.LeaseDuration, cancellationToken).ConfigureAwait(false);
            }
            catch (StorageRequestFailedException again) when (again.Status == 409 && again.ErrorCode is "LeaseAlreadyPresent" or null)
            {
                return null;
            }
        }
        return new BlobLeaseSyncLease(lease, _options);
    }

    private static async Task EnsureLockBlobAsync(BlobClient blob, CancellationToken cancellationToken)
    {
        try
        {
            await blob.PutBlobAsync(ReadOnlyMemory<byte>.Empty, new BlobUploadOptions { Conditions = new BlobRequestConditions { IfNoneMatch = ETag.All } }, cancellationToken)
                .ConfigureAwait(false);
        }
        catch (StorageRequestFailedException e) when (e.Status is 409 or 412)
        {
            // Already there (possibly leased by someone else): exactly what is needed.
        }
    }
}
