using System.Security.Cryptography.X509Certificates;
using DbxSync.Azure;
using DbxSync.Azure.Secrets;
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
        services.AddSingleton<IDatabricksConnector>(sp =>
        {
            var workspace = sp.GetRequiredService<WorkspaceSettings>();
            return new DatabricksConnector(new DatabricksClientOptions
            {
                AllowedWorkspaceHosts = workspace.AllowedWorkspaceHosts.ToList(),
                TimeProvider = sp.GetRequiredService<TimeProvider>(),
                EntraAuthorityHost = workspace.EntraAuthorityHost,
                EntraTransport = workspace.EntraTrustedCertificatePath is { } pem
                    ? PinnedCertificateTransport.Create(X509Certificate2.CreateFromPem(File.ReadAllText(pem)))
                    : null,
            });
        });
        return services;
    }
}
