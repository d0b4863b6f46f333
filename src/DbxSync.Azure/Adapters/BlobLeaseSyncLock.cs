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

    public async Task<ISyncLease?> TryAcquireAsync(string lockName, CancellationToken cancellationToken = default)
    {
        var container = service.GetBlobContainerClient(_options.Container);
        if (!_containerEnsured)
        {
            await container.CreateIfNotExistsAsync(cancellationToken).ConfigureAwait(false);
            _containerEnsured = true;
        }

        var blob = container.GetBlobClient(lockName);
        await EnsureLockBlobAsync(blob, cancellationToken).ConfigureAwait(false);
        var lease = blob.GetLeaseClient();
        try
        {
            await lease.AcquireAsync(_options.LeaseDuration, cancellationToken).ConfigureAwait(false);
        }
        catch (StorageRequestFailedException e) when (e.Status == 409 && e.ErrorCode is "LeaseAlreadyPresent" or null)
        {
            return null;
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
