using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using Azure;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Azure.Storage.Blobs.Specialized;
using Azure.Storage.Sas;
using DbxSync.Azure.Storage;
using DbxSync.Core.Ports;
using BlobItem = DbxSync.Core.Ports.BlobItem;
using BlobWriteStream = DbxSync.Core.Ports.BlobWriteStream;

namespace DbxSync.Azure.Adapters;

/// <summary>
/// <see cref="IBlobStore"/> over Azure.Storage.Blobs. Failures surface as Core exceptions (<see cref="StorageErrors"/>):
/// a stale If-Match as ConcurrencyException, a create-only write over an existing blob as ConflictException.
/// </summary>
public sealed class BlobStore(BlobServiceClient service) : IBlobStore
{
    /// <summary>
    /// Upload block size; the memory one upload holds is about two blocks (one staging, one filling). 4 MiB (was 8): the
    /// worker's peak counts every block in flight, and 50,000 blocks of 4 MiB still allow a 195 GiB blob.
    /// </summary>
    public const int BlockSize = 4 * 1024 * 1024;

    private readonly ConcurrentDictionary<string, bool> _ensuredContainers = new(StringComparer.Ordinal);
    private UserDelegationKey? _delegationKey;

    public async Task EnsureContainerAsync(string container, CancellationToken cancellationToken = default)
    {
        if (_ensuredContainers.ContainsKey(container))
            return;
        await StorageErrors.CallAsync($"container {container}", () => service.GetBlobContainerClient(container).CreateIfNotExistsAsync(cancellationToken: cancellationToken))
            .ConfigureAwait(false);
        _ensuredContainers.TryAdd(container, true);
    }

    public Task<BlobItem?> GetPropertiesAsync(string container, string name, CancellationToken cancellationToken = default) =>
        StorageErrors.CallAsync(Subject(container, name), async () =>
        {
            try
            {
                return ToItem(container, name, (await Blob(container, name).GetPropertiesAsync(cancellationToken: cancellationToken).ConfigureAwait(false)).Value);
            }
            catch (RequestFailedException e) when (e.Status == 404)
            {
                return (BlobItem?)null;
            }
        });

    /// <summary>
    /// One streaming GET read asynchronously: no properties round trip, no ranged re-requests unless the connection
    /// drops, and then the SDK resumes pinned to the first response's ETag (a replaced blob fails, never mixes).
    /// </summary>
    public Task<Stream> OpenReadAsync(string container, string name, string? ifMatch, CancellationToken cancellationToken = default) =>
        StorageErrors.CallAsync(Subject(container, name), async () =>
        {
            var download = (await Blob(container, name).DownloadStreamingAsync(new BlobDownloadOptions { Conditions = IfMatch(ifMatch) }, cancellationToken).ConfigureAwait(false)).Value;
            return (Stream)new StorageReadStream(download.Content, Subject(container, name), download.Details.ContentLength);
        });

    /// <summary>The same staged-block path as <see cref="OpenWriteAsync"/>: one Put Blob for small content, else blocks.</summary>
    public async Task<BlobItem> UploadAsync(string container, string name, Stream content, BlobWriteOptions? options = null, CancellationToken cancellationToken = default)
    {
        await using var target = (StagedBlockWriteStream)await OpenWriteAsync(container, name, options, cancellationToken).ConfigureAwait(false);
        await target.WriteFromAsync(content, cancellationToken).ConfigureAwait(false);
        return await target.CommitAsync(cancellationToken).ConfigureAwait(false);
    }

    public Task<BlobWriteStream> OpenWriteAsync(string container, string name, BlobWriteOptions? options = null, CancellationToken cancellationToken = default)
    {
        options ??= new BlobWriteOptions();
        return Task.FromResult<BlobWriteStream>(new StagedBlockWriteStream(
            service.GetBlobContainerClient(container).GetBlockBlobClient(name), new BlobHttpHeaders { ContentType = options.ContentType },
            options.Metadata?.ToDictionary(), WriteConditions(options), BlockSize, Subject(container, name), options.CreateOnly,
            (info, length) => ToItem(container, name, info, length, options)));
    }

    public async IAsyncEnumerable<BlobItem> ListAsync(string container, string? prefix = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await using var pages = service.GetBlobContainerClient(container).GetBlobsAsync(BlobTraits.Metadata, BlobStates.None, prefix, cancellationToken)
            .AsPages().GetAsyncEnumerator(cancellationToken);
        while (await StorageErrors.CallAsync($"container {container}", () => pages.MoveNextAsync().AsTask()).ConfigureAwait(false))
            foreach (var blob in pages.Current.Values)
                yield return new BlobItem(container, blob.Name, blob.Properties.ContentLength ?? 0, Unquote(blob.Properties.ETag), blob.Properties.LastModified ?? default,
                    blob.Properties.ContentType, blob.Metadata.AsReadOnly());
    }

    public Task<bool> DeleteAsync(string container, string name, string? ifMatch, CancellationToken cancellationToken = default) =>
        StorageErrors.CallAsync(Subject(container, name), async () =>
            (await Blob(container, name).DeleteIfExistsAsync(DeleteSnapshotsOption.IncludeSnapshots, IfMatch(ifMatch), cancellationToken).ConfigureAwait(false)).Value);

    /// <summary>
    /// Copy Blob inside the account, the source read through a short SAS: a service SAS with an account key (Azurite),
    /// a user-delegation SAS with Entra ID (Azure). Same-account copies complete at once; the wait covers the rest.
    /// </summary>
    public Task<BlobItem> CopyAsync(string sourceContainer, string sourceName, string targetContainer, string targetName, string? sourceIfMatch, CancellationToken cancellationToken = default) =>
        StorageErrors.CallAsync(Subject(sourceContainer, sourceName), async () =>
        {
            var target = Blob(targetContainer, targetName);
            var source = (await ReadUrlAsync(Blob(sourceContainer, sourceName), TimeSpan.FromHours(1), cancellationToken).ConfigureAwait(false)).Url;
            var copy = await target.StartCopyFromUriAsync(source, new BlobCopyFromUriOptions { SourceConditions = IfMatch(sourceIfMatch) }, cancellationToken).ConfigureAwait(false);
            await copy.WaitForCompletionAsync(cancellationToken).ConfigureAwait(false);
            return ToItem(targetContainer, targetName, (await target.GetPropertiesAsync(cancellationToken: cancellationToken).ConfigureAwait(false)).Value);
        });

    public Task<BlobReadUrl> GetReadUrlAsync(string container, string name, TimeSpan validFor, CancellationToken cancellationToken = default)
    {
        if (validFor <= TimeSpan.Zero || validFor > BlobReadUrl.MaxValidity)
            throw new ArgumentOutOfRangeException(nameof(validFor), validFor, "A read URL is valid for more than zero and at most 7 days.");
        return StorageErrors.CallAsync(Subject(container, name), () => ReadUrlAsync(Blob(container, name), validFor, cancellationToken));
    }

    /// <summary>
    /// A read-only SAS: a service SAS when the client holds an account key (Azurite), else a user-delegation SAS
    /// (Entra ID; works with shared keys disabled). The delegation key is cached while it outlives the SAS; a key is
    /// valid for at most 7 days (https://learn.microsoft.com/rest/api/storageservices/get-user-delegation-key).
    /// </summary>
    private async Task<BlobReadUrl> ReadUrlAsync(BlobClient source, TimeSpan validFor, CancellationToken cancellationToken)
    {
        var now = DateTimeOffset.UtcNow;
        var expires = now + validFor;
        var sas = new BlobSasBuilder(BlobSasPermissions.Read, expires) { BlobContainerName = source.BlobContainerName, BlobName = source.Name };
        if (source.CanGenerateSasUri)
            return new BlobReadUrl(source.GenerateSasUri(sas), expires, "service");
        if (_delegationKey is not { } key || key.SignedExpiresOn < expires)
        {
            // Start a little in the past for clock skew; never past the 7-day limit counted from now.
            var keyExpires = now + (validFor < BlobReadUrl.MaxValidity - TimeSpan.FromHours(1) ? validFor + TimeSpan.FromHours(1) : BlobReadUrl.MaxValidity);
            _delegationKey = key = (await service.GetUserDelegationKeyAsync(now.AddMinutes(-5), keyExpires, cancellationToken).ConfigureAwait(false)).Value;
        }
        return new BlobReadUrl(new BlobUriBuilder(source.Uri) { Sas = sas.ToSasQueryParameters(key, service.AccountName) }.ToUri(), expires, "user_delegation");
    }

    private BlobClient Blob(string container, string name) => service.GetBlobContainerClient(container).GetBlobClient(name);

    private static string Subject(string container, string name) => $"blob {container}/{name}";

    private static BlobRequestConditions? IfMatch(string? etag) => etag is null ? null : new BlobRequestConditions { IfMatch = new ETag(Quote(etag)) };

    private static BlobRequestConditions? WriteConditions(BlobWriteOptions options)
    {
        if (options.CreateOnly && options.IfMatch is not null)
            throw new ArgumentException("CreateOnly and IfMatch exclude each other.", nameof(options));
        return options.CreateOnly ? new BlobRequestConditions { IfNoneMatch = ETag.All } : IfMatch(options.IfMatch);
    }

    // Core keeps ETags unquoted (they travel in run records and HTTP headers of our own API).
    private static string Unquote(ETag? etag) => etag?.ToString().Trim('"') ?? "";
    private static string Quote(string etag) => etag.StartsWith('"') ? etag : $"\"{etag}\"";

    private static BlobItem ToItem(string container, string name, BlobProperties p) =>
        new(container, name, p.ContentLength, Unquote(p.ETag), p.LastModified, p.ContentType, p.Metadata.AsReadOnly());

    private static BlobItem ToItem(string container, string name, BlobContentInfo info, long length, BlobWriteOptions options) =>
        new(container, name, length, Unquote(info.ETag), info.LastModified, options.ContentType,
            options.Metadata ?? new Dictionary<string, string>());
}
