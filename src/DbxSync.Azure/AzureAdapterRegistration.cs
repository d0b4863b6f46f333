using System.Security.Cryptography.X509Certificates;
using Azure.Core;
using Azure.Data.Tables;
using Azure.Identity;
using Azure.Storage.Blobs;
using Azure.Storage.Queues;
using DbxSync.Azure.Adapters;
using DbxSync.Azure.Secrets;
using DbxSync.Azure.Storage;
using DbxSync.Core.Ports;
using Microsoft.Extensions.Azure;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace DbxSync.Azure;

public static class AzureAdapterRegistration
{
    /// <summary>The blob client the sync lock uses: short per-call timeouts and a retry budget well inside a lease.</summary>
    public const string LeaseClientName = "leases";

    /// <summary>
    /// The Azure adapters behind Core's ports: IBlobStore, IStateStore, ISyncLock and ISecretStore, plus the SDK's
    /// BlobServiceClient, QueueServiceClient and TableServiceClient. Settings: DbxSync:Storage (a connection string
    /// locally, including UseDevelopmentStorage=true; an account name or service URIs with the managed identity in
    /// Azure) and DbxSync:KeyVault.
    /// </summary>
    public static IServiceCollection AddDbxSyncAzure(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<StorageSettings>().Configure(s => configuration.GetSection(StorageSettings.Section).Bind(s));
        services.AddOptions<KeyVaultSettings>().Configure(s => configuration.GetSection(KeyVaultSettings.Section).Bind(s));
        // AddAzureClients forwards the SDK's events to ILogger; Azure.Identity's warnings stay useful in Azure.
        services.Configure<LoggerFilterOptions>(o => o.AddFilter("Azure", LogLevel.Warning));
        services.AddAzureClients(clients =>
        {
            // No per-request log lines (headers of every storage call, 409s of CreateIfNotExists as warnings): on the
            // small-file path they cost more than the transfers. Failures reach Core as typed exceptions instead.
            clients.ConfigureDefaults(o => o.Diagnostics.IsLoggingEnabled = false);
            clients.UseCredential(_ => new DefaultAzureCredential());
            clients.AddClient<BlobServiceClient, BlobClientOptions>(Blobs);
            // Each renewal is also bounded as a whole (RenewTimeout); these keep acquire and release from hanging for minutes.
            clients.AddClient<BlobServiceClient, BlobClientOptions>(Blobs).WithName(LeaseClientName).ConfigureOptions(o =>
            {
                o.Retry.NetworkTimeout = BlobLeaseSyncLockOptions.Default.RenewTimeout;
                o.Retry.MaxRetries = 2;
                o.Retry.Delay = TimeSpan.FromMilliseconds(500);
            });
            clients.AddClient<QueueServiceClient, QueueClientOptions>((o, credential, sp) => Settings(sp) is { ConnectionString: { Length: > 0 } cs }
                ? new QueueServiceClient(cs, o) : new QueueServiceClient(Settings(sp).ServiceUri("queue", Settings(sp).QueueServiceUri), credential, o));
            clients.AddClient<TableServiceClient, TableClientOptions>((o, credential, sp) => Settings(sp) is { ConnectionString: { Length: > 0 } cs }
                ? new TableServiceClient(cs, o) : new TableServiceClient(Settings(sp).ServiceUri("table", Settings(sp).TableServiceUri), credential, o));
        });

        services.AddSingleton<IBlobStore>(sp => new BlobStore(sp.GetRequiredService<BlobServiceClient>()));
        services.AddSingleton<IStateStore>(sp => new TableStateStore(sp.GetRequiredService<TableServiceClient>()));
        services.AddSingleton<ISyncLock>(sp => new BlobLeaseSyncLock(sp.GetRequiredService<IAzureClientFactory<BlobServiceClient>>().CreateClient(LeaseClientName)));
        services.AddSingleton<ISecretStore>(sp => new KeyVaultSecretStore(
            KeyVaultOptions(sp.GetRequiredService<IOptions<KeyVaultSettings>>().Value),
            sp.GetRequiredService<ILogger<KeyVaultSecretStore>>()));
        return services;
    }

    private static BlobServiceClient Blobs(BlobClientOptions o, TokenCredential credential, IServiceProvider sp) => Settings(sp) is { ConnectionString: { Length: > 0 } cs }
        ? new BlobServiceClient(cs, o) : new BlobServiceClient(Settings(sp).ServiceUri("blob", Settings(sp).BlobServiceUri), credential, o);

    private static StorageSettings Settings(IServiceProvider sp) => sp.GetRequiredService<IOptions<StorageSettings>>().Value;

    private static KeyVaultSecretStoreOptions KeyVaultOptions(KeyVaultSettings settings)
    {
        if (settings.Uri is null)
            throw new InvalidOperationException($"Key Vault is not configured: set {KeyVaultSettings.Section}:Uri.");
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
