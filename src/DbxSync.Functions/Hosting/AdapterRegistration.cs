namespace DbxSync.Functions.Hosting;

public static class AdapterRegistration
{
    /// <summary>
    /// The real adapters behind Core's ports: Table/Blob storage (IStateStore, IBlobStore, ISyncLock), Key Vault
    /// (ISecretStore) and the Databricks client (IDatabricksConnector). Filled in at merge; empty on this branch.
    /// </summary>
    public static IServiceCollection AddDbxSyncAdapters(this IServiceCollection services, IConfiguration configuration)
    {
        return services;
    }
}
