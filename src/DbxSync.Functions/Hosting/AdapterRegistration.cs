using DbxSync.Azure;
using DbxSync.Azure.Storage;
using DbxSync.Core.Ports;
using DbxSync.Databricks;
using DbxSync.Databricks.Adapters;
using Microsoft.Extensions.Options;

namespace DbxSync.Functions.Hosting;

public static class AdapterRegistration
{
    /// <summary>
    /// The real adapters behind Core's ports: Azure storage and Key Vault (AddDbxSyncAzure: IStateStore, IBlobStore,
    /// ISyncLock, ISecretStore), the sync-runs queue (IRunQueue) and the Databricks client (IDatabricksConnector).
    /// </summary>
    public static IServiceCollection AddDbxSyncAdapters(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddDbxSyncAzure(configuration);
        services.AddSingleton(sp => new StorageRunQueue(RunQueueClient.Create(sp.GetRequiredService<IOptions<StorageSettings>>().Value)));
        services.AddSingleton<IRunQueue>(sp => sp.GetRequiredService<StorageRunQueue>());
        services.AddSingleton<IFailureAlerts>(sp => new PoisonQueueAlerts(RunQueueClient.Create(sp.GetRequiredService<IOptions<StorageSettings>>().Value, StorageRunQueue.PoisonName)));
        services.AddSingleton<IDatabricksConnector>(sp => new DatabricksConnector(new DatabricksClientOptions
        {
            AllowedWorkspaceHosts = sp.GetRequiredService<WorkspaceSettings>().AllowedWorkspaceHosts.ToList(),
            TimeProvider = sp.GetRequiredService<TimeProvider>(),
        }));
        return services;
    }
}
