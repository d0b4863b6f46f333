using System.Security.Cryptography.X509Certificates;
using Azure.Identity;
using DbxSync.Azure.Adapters;
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
    /// The real adapters behind Core's ports: Table/Blob storage (IStateStore, IBlobStore, ISyncLock), Key Vault
    /// (ISecretStore) and the Databricks client (IDatabricksConnector). Locally: a connection string, a dev token and
    /// a pinned certificate; in Azure: the managed identity.
    /// </summary>
    public static IServiceCollection AddDbxSyncAdapters(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddSingleton(sp => CreateStorage(sp.GetRequiredService<IOptions<StorageSettings>>().Value));
        services.AddSingleton<IBlobStore>(sp => new BlobStore(sp.GetRequiredService<StorageClientsFactory>().Blobs));
        services.AddSingleton<IStateStore>(sp => new TableStateStore(sp.GetRequiredService<StorageClientsFactory>().Tables));
        services.AddSingleton<ISyncLock>(sp => new BlobLeaseSyncLock(sp.GetRequiredService<StorageClientsFactory>().Blobs));
        services.AddSingleton(sp => new StorageRunQueue(RunQueueClient.Create(sp.GetRequiredService<IOptions<StorageSettings>>().Value)));
        services.AddSingleton<IRunQueue>(sp => sp.GetRequiredService<StorageRunQueue>());

        services.AddSingleton<ISecretStore>(sp => new KeyVaultSecretStore(
            CreateKeyVaultOptions(sp.GetRequiredService<IOptions<KeyVaultSettings>>().Value),
            sp.GetRequiredService<ILogger<KeyVaultSecretStore>>()));

        services.AddSingleton<IDatabricksConnector>(sp => new DatabricksConnector(new DatabricksClientOptions
        {
            AllowedWorkspaceHosts = sp.GetRequiredService<WorkspaceSettings>().AllowedWorkspaceHosts.ToList(),
            TimeProvider = sp.GetRequiredService<TimeProvider>(),
        }));
        return services;
    }

    private static StorageClientsFactory CreateStorage(StorageSettings settings)
    {
        if (!string.IsNullOrWhiteSpace(settings.ConnectionString))
            return new StorageClientsFactory(settings.ConnectionString);
        var credential = new DefaultAzureCredential();
        if (settings.BlobServiceUri is not null && settings.QueueServiceUri is not null && settings.TableServiceUri is not null)
            return new StorageClientsFactory(new StorageAccountSettings
            {
                BlobServiceUri = settings.BlobServiceUri, QueueServiceUri = settings.QueueServiceUri, TableServiceUri = settings.TableServiceUri, Credential = credential,
            });
        if (!string.IsNullOrWhiteSpace(settings.AccountName))
            return new StorageClientsFactory(StorageAccountSettings.ForAccount(settings.AccountName, credential));
        throw new InvalidOperationException(
            $"Storage is not configured: set {SettingNames.StorageConnectionString} (local) or {SettingNames.StorageAccountName} (managed identity in Azure).");
    }

    private static KeyVaultSecretStoreOptions CreateKeyVaultOptions(KeyVaultSettings settings)
    {
        if (settings.Uri is null)
            throw new InvalidOperationException($"Key Vault is not configured: set {SettingNames.KeyVaultUri}.");
        var local = !string.IsNullOrEmpty(settings.DevToken);
        return new KeyVaultSecretStoreOptions
        {
            VaultUri = settings.Uri,
            // The local endpoint accepts one static token; in Azure the managed identity signs in.
            Credential = local ? new StaticTokenCredential(settings.DevToken!) : new DefaultAzureCredential(),
            DisableChallengeResourceVerification = local,
            TrustedServerCertificate = string.IsNullOrEmpty(settings.TrustedCertificatePath)
                ? null
                : X509Certificate2.CreateFromPem(File.ReadAllText(settings.TrustedCertificatePath)),
        };
    }
}
