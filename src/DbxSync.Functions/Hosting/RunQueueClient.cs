using Azure.Identity;
using Azure.Storage.Queues;

namespace DbxSync.Functions.Hosting;

/// <summary>The sync-runs queue client on the official SDK, in the storage account the app's settings name.</summary>
public static class RunQueueClient
{
    public static QueueClient Create(StorageSettings settings)
    {
        var options = new QueueClientOptions { MessageEncoding = QueueMessageEncoding.Base64 };
        if (!string.IsNullOrWhiteSpace(settings.ConnectionString))
            return new QueueClient(settings.ConnectionString, StorageRunQueue.Name, options);
        var serviceUri = settings.QueueServiceUri
            ?? (string.IsNullOrWhiteSpace(settings.AccountName) ? null : new Uri($"https://{settings.AccountName}.queue.core.windows.net"))
            ?? throw new InvalidOperationException($"Storage is not configured: set {SettingNames.StorageConnectionString} (local) or {SettingNames.StorageAccountName} (managed identity in Azure).");
        return new QueueClient(new Uri(serviceUri.AbsoluteUri.TrimEnd('/') + "/" + StorageRunQueue.Name), new DefaultAzureCredential(), options);
    }
}
