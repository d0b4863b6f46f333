using Azure.Storage.Queues;

namespace DbxSync.Functions.Hosting;

/// <summary>The storage queue Event Grid delivers blob-created events into (functions/BlobEvents reads it in Azure).</summary>
public sealed record BlobEventsQueue(QueueClient Client)
{
    public const string Name = "blob-events";
}
