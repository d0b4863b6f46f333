using System.Globalization;
using System.Runtime.CompilerServices;
using Azure;
using Azure.Core;
using Azure.Core.Pipeline;

namespace DbxSync.Azure.Storage.Blobs;

public sealed class BlobContainerClient
{
    private readonly BlobServiceClient _service;

    internal BlobContainerClient(BlobServiceClient service, string name)
    {
        BlobNames.ValidateContainerName(name);
        _service = service;
        Name = name;
        Uri = new Uri($"{service.Uri.AbsoluteUri}/{name}");
    }

    public string Name { get; }
    public Uri Uri { get; }
    internal HttpPipeline Pipeline => _service.Pipeline;
    internal StorageClientOptions Options => _service.Options;
    internal BlobServiceClient Service => _service;

    public BlobClient GetBlobClient(string blobName) => new(this, blobName);

    public async Task<Response> CreateAsync(IReadOnlyDictionary<string, string>? metadata = null, CancellationToken cancellationToken = default)
    {
        using var message = Pipeline.CreateMessage(RequestMethod.Put, new Uri(Uri + "?restype=container"));
        BlobHeaders.AddMetadata(message.Request, metadata);
        return await Pipeline.SendCheckedAsync(message, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Value is true when this call created the container.</summary>
    public async Task<Response<bool>> CreateIfNotExistsAsync(CancellationToken cancellationToken = default)
    {
        try
        {
            var response = await CreateAsync(null, cancellationToken).ConfigureAwait(false);
            return Response.FromValue(true, response);
        }
        catch (StorageRequestFailedException e) when (e.Status == 409 && e.ErrorCode == "ContainerAlreadyExists")
        {
            return Response.FromValue(false, null!);
        }
    }

    public async Task<Response> DeleteAsync(BlobRequestConditions? conditions = null, CancellationToken cancellationToken = default)
    {
        using var message = Pipeline.CreateMessage(RequestMethod.Delete, new Uri(Uri + "?restype=container"));
        BlobHeaders.AddConditions(message.Request, conditions);
        return await Pipeline.SendCheckedAsync(message, cancellationToken).ConfigureAwait(false);
    }

    public async Task<Response<bool>> DeleteIfExistsAsync(CancellationToken cancellationToken = default)
    {
        try
        {
            return Response.FromValue(true, await DeleteAsync(null, cancellationToken).ConfigureAwait(false));
        }
        catch (StorageRequestFailedException e) when (e.Status == 404)
        {
            return Response.FromValue(false, null!);
        }
    }

    /// <summary>Every blob under the prefix, fetching pages lazily until NextMarker is empty.</summary>
    public async IAsyncEnumerable<BlobListItem> GetBlobsAsync(BlobListOptions? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await foreach (var page in GetBlobPagesAsync(options, null, cancellationToken).ConfigureAwait(false))
        {
            foreach (var blob in page.Blobs)
                yield return blob;
        }
    }

    public async IAsyncEnumerable<BlobListPage> GetBlobPagesAsync(
        BlobListOptions? options = null, string? marker = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        do
        {
            var page = (await ListBlobsPageAsync(options, marker, cancellationToken).ConfigureAwait(false)).Value;
            yield return page;
            marker = page.NextMarker;
        }
        while (!string.IsNullOrEmpty(marker));
    }

    /// <summary>One List Blobs call; a page can be short and still carry a marker.</summary>
    public async Task<Response<BlobListPage>> ListBlobsPageAsync(BlobListOptions? options, string? marker, CancellationToken cancellationToken = default)
    {
        options ??= new BlobListOptions();
        var query = new List<string> { "restype=container", "comp=list" };
        if (!string.IsNullOrEmpty(options.Prefix))
            query.Add("prefix=" + Uri.EscapeDataString(options.Prefix));
        if (!string.IsNullOrEmpty(options.Delimiter))
            query.Add("delimiter=" + Uri.EscapeDataString(options.Delimiter));
        if (!string.IsNullOrEmpty(marker))
            query.Add("marker=" + Uri.EscapeDataString(marker));
        if (options.PageSize is { } pageSize)
            query.Add("maxresults=" + Math.Clamp(pageSize, 1, 5000).ToString(CultureInfo.InvariantCulture));
        if (options.IncludeMetadata)
            query.Add("include=metadata");

        using var message = Pipeline.CreateMessage(RequestMethod.Get, new Uri(Uri + "?" + string.Join('&', query)));
        var response = await Pipeline.SendCheckedAsync(message, cancellationToken).ConfigureAwait(false);
        return Response.FromValue(BlobListingParser.Parse(response.Content.ToStream()), response);
    }
}
