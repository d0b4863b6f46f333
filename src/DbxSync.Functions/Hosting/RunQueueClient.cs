using Azure.Identity;
using Azure.Storage.Queues;
using DbxSync.Azure.Storage;

namespace DbxSync.Functions.Hosting;

/// <summary>
/// The sync-runs queue client, in the storage account of DbxSync:Storage. Its own client because the queue trigger
/// reads base64 messages (the Functions default) and the shared QueueServiceClient sends plain ones.
/// </summary>
public static class RunQueueClient
{
    public static QueueClient Create(StorageSettings settings, string name = StorageRunQueue.Name)
    {
        var options = new QueueClientOptions { MessageEncoding = QueueMessageEncoding.Base64 };
        return settings.ConnectionString is { Length: > 0 } connectionString
            ? new QueueClient(connectionString, name, options)
            : new QueueClient(new Uri(settings.ServiceUri("queue", settings.QueueServiceUri).AbsoluteUri.TrimEnd('/') + "/" + name), new DefaultAzureCredential(), options);
    }
}
