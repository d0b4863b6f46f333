using System.Collections.Concurrent;
using Azure;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Azure.Storage.Blobs.Specialized;
using DbxSync.Azure.Storage;
using DbxSync.Core.Ports;

namespace DbxSync.Azure.Adapters;

public sealed record BlobLeaseSyncLockOptions
{
    public static readonly BlobLeaseSyncLockOptions Default = new();

    public string Container { get; init; } = "locks";
    /// <summary>Short enough that a crashed holder frees the lock within a minute.</summary>
    public TimeSpan LeaseDuration { get; init; } = TimeSpan.FromSeconds(60);
    /// <summary>A third of the duration leaves two more tries before the lease could lapse.</summary>
    public TimeSpan RenewInterval { get; init; } = TimeSpan.FromSeconds(20);
    /// <summary>Upper bound of one renewal, retries included: a hanging call is abandoned, not waited for.</summary>
    public TimeSpan RenewTimeout { get; init; } = TimeSpan.FromSeconds(10);
    /// <summary>Pause before trying a failed renewal again.</summary>
    public TimeSpan RetryDelay { get; init; } = TimeSpan.FromSeconds(2);
}

/// <summary><see cref="ISyncLock"/> as one leased blob per lock name in the locks container (BlobLeaseClient).</summary>
public sealed class BlobLeaseSyncLock(BlobServiceClient service, BlobLeaseSyncLockOptions? options = null) : ISyncLock
{
    private readonly BlobLeaseSyncLockOptions _options = options ?? BlobLeaseSyncLockOptions.Default;
    // Lock blobs known to exist: a timer probe of many configs then costs one Acquire per run, not a failing Put Blob too.
    private readonly ConcurrentDictionary<string, bool> _knownBlobs = new(StringComparer.Ordinal);

    public Task<ISyncLease?> TryAcquireAsync(string lockName, CancellationToken cancellationToken = default) =>
        StorageErrors.CallAsync($"lock {lockName}", async () =>
        {
            var blob = service.GetBlobContainerClient(_options.Container).GetBlobClient(lockName);
            if (!_knownBlobs.ContainsKey(lockName))
                await EnsureLockBlobAsync(blob, lockName, cancellationToken).ConfigureAwait(false);
            var lease = blob.GetBlobLeaseClient();
            try
            {
                return await AcquireAsync(lease, cancellationToken).ConfigureAwait(false);
            }
            catch (RequestFailedException e) when (e.Status == 404)
            {
                // The blob (or the container) went away since it was created here: create it again and try once more.
                await EnsureLockBlobAsync(blob, lockName, cancellationToken).ConfigureAwait(false);
                return await AcquireAsync(lease, cancellationToken).ConfigureAwait(false);
            }
        });

    private async Task<ISyncLease?> AcquireAsync(BlobLeaseClient lease, CancellationToken cancellationToken)
    {
        // The lease runs from when the service grants it, which is after this moment.
        var requestedAt = DateTimeOffset.UtcNow;
        try
        {
            await lease.AcquireAsync(_options.LeaseDuration, cancellationToken: cancellationToken).ConfigureAwait(false);
        }
        catch (RequestFailedException e) when (e.Status == 409 && e.ErrorCode is "LeaseAlreadyPresent" or null)
        {
            return null;
        }
        return new BlobLeaseSyncLease(lease, _options, requestedAt);
    }

    private async Task EnsureLockBlobAsync(BlobClient blob, string lockName, CancellationToken cancellationToken)
    {
        await blob.GetParentBlobContainerClient().CreateIfNotExistsAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
        try
        {
            await blob.UploadAsync(BinaryData.Empty, new BlobUploadOptions { Conditions = new BlobRequestConditions { IfNoneMatch = ETag.All } }, cancellationToken)
                .ConfigureAwait(false);
        }
        catch (RequestFailedException e) when (e.Status is 409 or 412)
        {
            // Already there (possibly leased by someone else): exactly what is needed.
        }
        _knownBlobs[lockName] = true;
    }
}
