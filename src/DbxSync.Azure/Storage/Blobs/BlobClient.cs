using System.Globalization;
using System.Text;
using Azure;
using Azure.Core;
using Azure.Core.Pipeline;

namespace DbxSync.Azure.Storage.Blobs;

/// <summary>One block blob. Uploads and downloads stream; memory is bounded by one block or chunk.</summary>
public sealed class BlobClient
{
    private readonly BlobContainerClient _container;

    internal BlobClient(BlobContainerClient container, string name)
    {
        BlobNames.ValidateBlobName(name);
        _container = container;
        Name = name;
        Uri = new Uri($"{container.Uri.AbsoluteUri}/{BlobNames.EscapePath(name)}");
    }

    public string Name { get; }
    public string ContainerName => _container.Name;
    public Uri Uri { get; }
    internal HttpPipeline Pipeline => _container.Pipeline;
    internal StorageClientOptions Options => _container.Options;

    public BlobLeaseClient GetLeaseClient(string? leaseId = null) => new(this, leaseId);

    /// <summary>Uploads a stream of any length, seekable or not: one Put Blob when it fits a block, else Put Block + Put Block List.</summary>
    public async Task<Response<BlobContentInfo>> UploadAsync(Stream content, BlobUploadOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(content);
        await using var writer = OpenBlockWriter(options);
        await writer.WriteFromAsync(content, cancellationToken).ConfigureAwait(false);
        return await writer.CommitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>A writer that stages a block each time its buffer fills; nothing is visible until it commits.</summary>
    public BlockBlobWriter OpenBlockWriter(BlobUploadOptions? options = null) => new(this, options ?? new BlobUploadOptions(), Options.BlockSize);

    public async Task<Response<BlobContentInfo>> PutBlobAsync(ReadOnlyMemory<byte> content, BlobUploadOptions? options = null, CancellationToken cancellationToken = default)
    {
        options ??= new BlobUploadOptions();
        using var message = Pipeline.CreateMessage(RequestMethod.Put, Uri);
        var request = message.Request;
        request.Headers.SetValue("x-ms-blob-type", "BlockBlob");
        if (options.ContentType is not null)
            request.Headers.SetValue("x-ms-blob-content-type", options.ContentType);
        BlobHeaders.AddMetadata(request, options.Metadata);
        BlobHeaders.AddConditions(request, options.Conditions);
        request.Content = RequestContent.Create(content);
        var response = await Pipeline.SendCheckedAsync(message, cancellationToken).ConfigureAwait(false);
        return Response.FromValue(new BlobContentInfo(BlobHeaders.ReadETag(response), BlobHeaders.ReadDate(response, "Last-Modified"), content.Length), response);
    }

    /// <summary>Block ids must be base64 and all of one length within a blob.</summary>
    public async Task<Response> StageBlockAsync(string base64BlockId, ReadOnlyMemory<byte> content, string? leaseId = null, CancellationToken cancellationToken = default)
    {
        using var message = Pipeline.CreateMessage(RequestMethod.Put, new Uri($"{Uri}?comp=block&blockid={Uri.EscapeDataString(base64BlockId)}"));
        if (leaseId is not null)
            message.Request.Headers.SetValue("x-ms-lease-id", leaseId);
        message.Request.Content = RequestContent.Create(content);
        return await Pipeline.SendCheckedAsync(message, cancellationToken).ConfigureAwait(false);
    }

    public async Task<Response<BlobContentInfo>> CommitBlockListAsync(
        IReadOnlyList<string> base64BlockIds, long contentLength, BlobUploadOptions? options = null, CancellationToken cancellationToken = default)
    {
        options ??= new BlobUploadOptions();
        var xml = new StringBuilder("<?xml version=\"1.0\" encoding=\"utf-8\"?><BlockList>");
        foreach (var id in base64BlockIds)
            xml.Append("<Latest>").Append(id).Append("</Latest>");
        xml.Append("</BlockList>");

        using var message = Pipeline.CreateMessage(RequestMethod.Put, new Uri(Uri + "?comp=blocklist"));
        var request = message.Request;
        request.Headers.SetValue("Content-Type", "application/xml");
        if (options.ContentType is not null)
            request.Headers.SetValue("x-ms-blob-content-type", options.ContentType);
        BlobHeaders.AddMetadata(request, options.Metadata);
        BlobHeaders.AddConditions(request, options.Conditions);
        request.Content = RequestContent.Create(Encoding.UTF8.GetBytes(xml.ToString()));
        var response = await Pipeline.SendCheckedAsync(message, cancellationToken).ConfigureAwait(false);
        return Response.FromValue(new BlobContentInfo(BlobHeaders.ReadETag(response), BlobHeaders.ReadDate(response, "Last-Modified"), contentLength), response);
    }

    public async Task<Response<BlobProperties>> GetPropertiesAsync(BlobRequestConditions? conditions = null, CancellationToken cancellationToken = default)
    {
        using var message = Pipeline.CreateMessage(RequestMethod.Head, Uri);
        BlobHeaders.AddConditions(message.Request, conditions);
        var response = await Pipeline.SendCheckedAsync(message, cancellationToken).ConfigureAwait(false);
        return Response.FromValue(BlobHeaders.ReadProperties(response, BlobHeaders.ReadContentLength(response)), response);
    }

    public async Task<Response<bool>> ExistsAsync(CancellationToken cancellationToken = default)
    {
        try
        {
            var properties = await GetPropertiesAsync(null, cancellationToken).ConfigureAwait(false);
            return Response.FromValue(true, properties.GetRawResponse());
        }
        catch (StorageRequestFailedException e) when (e.Status == 404)
        {
            return Response.FromValue(false, null!);
        }
    }

    public async Task<Response> SetMetadataAsync(IReadOnlyDictionary<string, string> metadata, BlobRequestConditions? conditions = null, CancellationToken cancellationToken = default)
    {
        using var message = Pipeline.CreateMessage(RequestMethod.Put, new Uri(Uri + "?comp=metadata"));
        BlobHeaders.AddMetadata(message.Request, metadata);
        BlobHeaders.AddConditions(message.Request, conditions);
        return await Pipeline.SendCheckedAsync(message, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// GET with the body left on the wire (not buffered by the pipeline). An empty range must not be
    /// asked for: the service answers 416 for any range on an empty blob.
    /// </summary>
    public async Task<Response<BlobDownloadStreamingResult>> DownloadStreamingAsync(
        HttpRange? range = null, BlobRequestConditions? conditions = null, CancellationToken cancellationToken = default)
    {
        var message = Pipeline.CreateMessage(RequestMethod.Get, Uri);
        message.BufferResponse = false;
        try
        {
            if (range is { } r)
                message.Request.Headers.SetValue("x-ms-range", FormatRange(r));
            BlobHeaders.AddConditions(message.Request, conditions);
            var response = await Pipeline.SendCheckedAsync(message, cancellationToken).ConfigureAwait(false);
            var length = BlobHeaders.ReadContentLength(response);
            var total = TotalLengthFromContentRange(BlobHeaders.Read(response, "Content-Range")) ?? length;
            var content = new OwningStream(message.ExtractResponseContent() ?? Stream.Null, message);
            var result = new BlobDownloadStreamingResult(content, BlobHeaders.ReadProperties(response, length), total);
            return Response.FromValue(result, response);
        }
        catch
        {
            message.Dispose();
            throw;
        }
    }

    /// <summary>A forward-only stream that fetches <see cref="StorageClientOptions.DownloadChunkSize"/> ranges pinned to the current ETag.</summary>
    public async Task<Stream> OpenReadAsync(BlobRequestConditions? conditions = null, CancellationToken cancellationToken = default)
    {
        var properties = (await GetPropertiesAsync(conditions, cancellationToken).ConfigureAwait(false)).Value;
        return new BlobReadStream(this, properties, Options.DownloadChunkSize, conditions?.LeaseId);
    }

    public async Task<Response> DeleteAsync(BlobRequestConditions? conditions = null, CancellationToken cancellationToken = default)
    {
        using var message = Pipeline.CreateMessage(RequestMethod.Delete, Uri);
        message.Request.Headers.SetValue("x-ms-delete-snapshots", "include");
        BlobHeaders.AddConditions(message.Request, conditions);
        return await Pipeline.SendCheckedAsync(message, cancellationToken).ConfigureAwait(false);
    }

    public async Task<Response<bool>> DeleteIfExistsAsync(BlobRequestConditions? conditions = null, CancellationToken cancellationToken = default)
    {
        try
        {
            return Response.FromValue(true, await DeleteAsync(conditions, cancellationToken).ConfigureAwait(false));
        }
        catch (StorageRequestFailedException e) when (e.Status == 404 && e.ErrorCode is "BlobNotFound" or null)
        {
            return Response.FromValue(false, null!);
        }
    }

    /// <summary>
    /// Copy From URL with x-ms-requires-sync: the service copies before answering (sources up to 256 MiB).
    /// On Azure the source must be readable by the service (public, SAS, or <paramref name="sourceAuthorization"/>).
    /// </summary>
    public async Task<Response<BlobCopyInfo>> SyncCopyFromUriAsync(
        Uri source, BlobRequestConditions? conditions = null, string? sourceAuthorization = null, CancellationToken cancellationToken = default)
    {
        using var message = Pipeline.CreateMessage(RequestMethod.Put, Uri);
        message.Request.Headers.SetValue("x-ms-copy-source", source.AbsoluteUri);
        message.Request.Headers.SetValue("x-ms-requires-sync", "true");
        if (sourceAuthorization is not null)
            message.Request.Headers.SetValue("x-ms-copy-source-authorization", sourceAuthorization);
        BlobHeaders.AddConditions(message.Request, conditions);
        var response = await Pipeline.SendCheckedAsync(message, cancellationToken).ConfigureAwait(false);
        return Response.FromValue(
            new BlobCopyInfo(BlobHeaders.ReadETag(response), BlobHeaders.ReadDate(response, "Last-Modified"), BlobHeaders.Read(response, "x-ms-copy-status"), true),
            response);
    }

    /// <summary>
    /// Copies another blob of the account here: server-side when the service agrees, otherwise by
    /// streaming download + block upload (Azurite and cross-auth cases refuse server-side copies).
    /// </summary>
    public async Task<Response<BlobCopyInfo>> CopyFromBlobAsync(BlobClient source, BlobRequestConditions? conditions = null, CancellationToken cancellationToken = default)
    {
        var sourceProperties = (await source.GetPropertiesAsync(null, cancellationToken).ConfigureAwait(false)).Value;
        const long syncCopyLimit = 256L * 1024 * 1024;
        if (sourceProperties.ContentLength <= syncCopyLimit)
        {
            try
            {
                return await SyncCopyFromUriAsync(source.Uri, conditions, null, cancellationToken).ConfigureAwait(false);
            }
            catch (StorageRequestFailedException e) when (IsCopyRefusal(e))
            {
            }
        }

        await using var read = new BlobReadStream(source, sourceProperties, Options.DownloadChunkSize, null);
        var uploaded = await UploadAsync(read, new BlobUploadOptions
        {
            ContentType = sourceProperties.ContentType,
            Metadata = sourceProperties.Metadata,
            Conditions = conditions,
        }, cancellationToken).ConfigureAwait(false);
        return Response.FromValue(new BlobCopyInfo(uploaded.Value.ETag, uploaded.Value.LastModified, "success", false), uploaded.GetRawResponse());
    }

    // Refusals about the copy mechanism itself, not about our conditions or the target's lease.
    private static bool IsCopyRefusal(StorageRequestFailedException e) =>
        e.Status is 400 or 403 or 409 or 501 && !e.IsLeaseConflict && !e.IsAlreadyExists;

    private static string FormatRange(HttpRange range) => range.Length is { } length
        ? string.Create(CultureInfo.InvariantCulture, $"bytes={range.Offset}-{range.Offset + length - 1}")
        : string.Create(CultureInfo.InvariantCulture, $"bytes={range.Offset}-");

    private static long? TotalLengthFromContentRange(string? contentRange)
    {
        var slash = contentRange?.LastIndexOf('/') ?? -1;
        return slash > 0 && long.TryParse(contentRange![(slash + 1)..], CultureInfo.InvariantCulture, out var total) ? total : null;
    }
}
