using Azure.Core;
using Azure.Core.Pipeline;

namespace DbxSync.Azure.Storage.Blobs;

/// <summary>Entry point to the Blob service of one account.</summary>
public sealed class BlobServiceClient
{
    public BlobServiceClient(string connectionString, StorageClientOptions? options = null)
        : this(StorageConnectionString.Parse(connectionString), options)
    {
    }

    public BlobServiceClient(StorageConnectionString connectionString, StorageClientOptions? options = null)
        : this(connectionString.BlobEndpoint,
            connectionString.Credential ?? throw new ArgumentException("The connection string has no AccountKey.", nameof(connectionString)),
            options)
    {
    }

    public BlobServiceClient(Uri serviceUri, StorageSharedKeyCredential credential, StorageClientOptions? options = null)
        : this(serviceUri, options ?? new StorageClientOptions(), o => StoragePipelineFactory.Create(o, StorageServiceKind.Blob, credential))
    {
    }

    /// <summary>Entra ID; https endpoints only (Azure.Core refuses bearer tokens over http).</summary>
    public BlobServiceClient(Uri serviceUri, TokenCredential credential, StorageClientOptions? options = null)
        : this(serviceUri, options ?? new StorageClientOptions(), o => StoragePipelineFactory.Create(o, StorageServiceKind.Blob, credential))
    {
    }

    private BlobServiceClient(Uri serviceUri, StorageClientOptions options, Func<StorageClientOptions, HttpPipeline> pipeline)
    {
        Uri = new Uri(serviceUri.AbsoluteUri.TrimEnd('/'));
        Options = options;
        Pipeline = pipeline(options);
    }

    public Uri Uri { get; }
    internal StorageClientOptions Options { get; }
    internal HttpPipeline Pipeline { get; }

    public BlobContainerClient GetBlobContainerClient(string containerName) => new(this, containerName);
}
