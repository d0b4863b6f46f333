using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using Azure;
using DbxSync.Azure.Storage;
using DbxSync.Azure.Storage.Blobs;
using DbxSync.Core.Errors;
using DbxSync.Core.Ports;
using BlobWriteStream = DbxSync.Core.Ports.BlobWriteStream;

namespace DbxSync.Azure.Adapters;

/// <summary>
/// <see cref="IBlobStore"/> over our blob client. Condition failures surface as Core exceptions:
/// a stale If-Match as <see cref="ConcurrencyException"/>, a create-only write over an existing blob as <see cref="ConflictException"/>.
/// </summary>
public sealed class BlobStore(BlobServiceClient service) : IBlobStore
{
    private readonly ConcurrentDictionary<string, bool> _ensuredContainers = new(StringComparer.Ordinal);

    public async Task EnsureContainerAsync(string container, CancellationToken cancellationToken = default)
    {
        if (_ensuredContainers.ContainsKey(container))
            return;
        await service.GetBlobContainerClient(container).CreateIfNotExistsAsync(cancellationToken).ConfigureAwait(false);
        _ensuredContainers.TryAdd(container, true);
    }

    public async Task<BlobItem?> GetPropertiesAsync(string container, string name, CancellationToken cancellationToken = default)
    {
        try
        {
            var properties = (await Blob(container, name).GetPropertiesAsync(null, cancellationToken).ConfigureAwait(false)).Value;
            return ToItem(container, name, properties);
        }
        catch (StorageRequestFailedException e) when (e.IsNotFound)
        {
            return null;
        }
    }

    public Task<Stream> OpenReadAsync(string container, string name, string? ifMatch, CancellationToken cancellationToken = default) =>
        Translate(() => Blob(container, name).OpenReadAsync(IfMatch(ifMatch), cancellationToken), container, name);

    public async Task<BlobItem> UploadAsync(string container, string name, Stream content, BlobWriteOptions? options = null, CancellationToken cancellationToken = default)
    {
        options ??= new BlobWriteOptions();
        var uploaded = await Translate(() => Blob(container, name).UploadAsync(content, ToUploadOptions(options), cancellationToken), container, name).ConfigureAwait(false);
        return ToItem(container, name, uploaded.Value, options);
    }

    public Task<BlobWriteStream> OpenWriteAsync(string container, string name, BlobWriteOptions? options = null, CancellationToken cancellationToken = default)
    {
        options ??= new BlobWriteOptions();
        var writer = Blob(container, name).OpenBlockWriter(ToUploadOptions(options));
        return Task.FromResult<BlobWriteStream>(new BlockBlobWriteStream(writer, async ct =>
        {
            var committed = await Translate(() => writer.CommitAsync(ct), container, name).ConfigureAwait(false);
            return ToItem(container, name, committed.Value, options);
        }));
    }

    public async IAsyncEnumerable<BlobItem> ListAsync(string container, string? prefix = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var options = new BlobListOptions { Prefix = prefix, IncludeMetadata = true };
        await foreach (var blob in service.GetBlobContainerClient(container).GetBlobsAsync(options, cancellationToken).ConfigureAwait(false))
        {
            yield return new BlobItem(container, blob.Name, blob.ContentLength, StorageETag.Unquote(blob.ETag), blob.LastModified, blob.ContentType, blob.Metadata);
        }
    }

    public async Task<bool> DeleteAsync(string container, string name, string? ifMatch, CancellationToken cancellationToken = default) =>
        (await Translate(() => Blob(container, name).DeleteIfExistsAsync(IfMatch(ifMatch), cancellationToken), container, name).ConfigureAwait(false)).Value;

    public async Task<BlobItem> CopyAsync(string sourceContainer, string sourceName, string targetContainer, string targetName, string? sourceIfMatch, CancellationToken cancellationToken = default)
    {
        if (sourceIfMatch is not null)
            await Translate(() => Blob(sourceContainer, sourceName).GetPropertiesAsync(IfMatch(sourceIfMatch), cancellationToken), sourceContainer, sourceName).ConfigureAwait(false);
        await Blob(targetContainer, targetName).CopyFromBlobAsync(Blob(sourceContainer, sourceName), null, cancellationToken).ConfigureAwait(false);
        return await GetPropertiesAsync(targetContainer, targetName, cancellationToken).ConfigureAwait(false)
            ?? throw new StorageException($"Copied blob {targetContainer}/{targetName} vanished right after the copy.", 404, "BlobNotFound");
    }

    private static BlobRequestConditions? IfMatch(string? etag) =>
        etag is null ? null : new BlobRequestConditions { IfMatch = new ETag(StorageETag.ToHeaderValue(etag)) };

    private BlobClient Blob(string container, string name) => service.GetBlobContainerClient(container).GetBlobClient(name);

    private static BlobUploadOptions ToUploadOptions(BlobWriteOptions options)
    {
        if (options.CreateOnly && options.IfMatch is not null)
            throw new ArgumentException("CreateOnly and IfMatch exclude each other.", nameof(options));
        return new BlobUploadOptions
        {
            ContentType = options.ContentType,
            Metadata = options.Metadata,
            Conditions = new BlobRequestConditions
            {
                IfNoneMatch = options.CreateOnly ? ETag.All : null,
                IfMatch = options.IfMatch is null ? null : new ETag(StorageETag.ToHeaderValue(options.IfMatch)),
            },
        };
    }

    private static async Task<T> Translate<T>(Func<Task<T>> write, string container, string name)
    {
        try
        {
            return await write().ConfigureAwait(false);
        }
        catch (StorageRequestFailedException e) when (e.IsConditionFailed)
        {
            throw new ConcurrencyException($"Blob {container}/{name} changed since it was read (ETag mismatch).");
        }
        catch (StorageRequestFailedException e) when (e.IsAlreadyExists)
        {
            throw new ConflictException($"Blob {container}/{name} already exists.", "blob-exists");
        }
    }

    private static BlobItem ToItem(string container, string name, BlobProperties p) =>
        new(container, name, p.ContentLength, StorageETag.Unquote(p.ETag), p.LastModified, p.ContentType, p.Metadata);

    private static BlobItem ToItem(string container, string name, BlobContentInfo info, BlobWriteOptions options) =>
        new(container, name, info.ContentLength, StorageETag.Unquote(info.ETag), info.LastModified, options.ContentType,
            options.Metadata ?? new Dictionary<string, string>());
}
