using Azure.Storage.Queues;
using DbxSync.Azure;
using DbxSync.Core.Ports;
using DbxSync.Databricks;
using DbxSync.Databricks.Adapters;

namespace DbxSync.Functions.Hosting;

public static class AdapterRegistration
{
    /// <summary>
    /// The real adapters behind Core's ports: Azure storage and Key Vault (AddDbxSyncAzure: IStateStore, IBlobStore,
    /// ISyncLock, ISecretStore) and the Databricks client (IDatabricksConnector).
    /// </summary>
    public static IServiceCollection AddDbxSyncAdapters(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddDbxSyncAzure(configuration);
        services.AddSingleton(sp => new BlobEventsQueue(sp.GetRequiredService<QueueServiceClient>().GetQueueClient(BlobEventsQueue.Name)));
        services.AddSingleton<IDatabricksConnector>(sp => new DatabricksConnector(new DatabricksClientOptions
        {
            AllowedWorkspaceHosts = sp.GetRequiredService<WorkspaceSettings>().AllowedWorkspaceHosts.ToList(),
            TimeProvider = sp.GetRequiredService<TimeProvider>(),
        }));
        return services;
    }
}
