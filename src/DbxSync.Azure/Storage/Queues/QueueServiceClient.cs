using Azure.Core;
using Azure.Core.Pipeline;

namespace DbxSync.Azure.Storage.Queues;

/// <summary>Entry point to the Queue service of one account.</summary>
public sealed class QueueServiceClient
{
    public QueueServiceClient(string connectionString, StorageClientOptions? options = null)
        : this(StorageConnectionString.Parse(connectionString), options)
    {
    }

    public QueueServiceClient(StorageConnectionString connectionString, StorageClientOptions? options = null)
        : this(connectionString.QueueEndpoint,
            connectionString.Credential ?? throw new ArgumentException("The connection string has no AccountKey.", nameof(connectionString)),
            options)
    {
    }

    public QueueServiceClient(Uri serviceUri, StorageSharedKeyCredential credential, StorageClientOptions? options = null)
        : this(serviceUri, StoragePipelineFactory.Create(options ?? new StorageClientOptions(), StorageServiceKind.Queue, credential))
    {
    }

    public QueueServiceClient(Uri serviceUri, TokenCredential credential, StorageClientOptions? options = null)
        : this(serviceUri, StoragePipelineFactory.Create(options ?? new StorageClientOptions(), StorageServiceKind.Queue, credential))
    {
    }

    private QueueServiceClient(Uri serviceUri, HttpPipeline pipeline)
    {
        Uri = new Uri(serviceUri.AbsoluteUri.TrimEnd('/'));
        Pipeline = pipeline;
    }

    public Uri Uri { get; }
    internal HttpPipeline Pipeline { get; }

    public QueueClient GetQueueClient(string queueName, QueueClientOptions? options = null) => new(this, queueName, options ?? new QueueClientOptions());
}
