using Azure.Core;
using DbxSync.Azure.Storage.Blobs;
using DbxSync.Azure.Storage.Queues;
using DbxSync.Azure.Storage.Tables;

namespace DbxSync.Azure.Storage;

/// <summary>
/// How the app reaches its storage account: a connection string (local Azurite, Shared Key) or
/// service URIs with a TokenCredential (Azure, managed identity). Exactly one of the two.
/// </summary>
public sealed record StorageAccountSettings
{
    public string? ConnectionString { get; init; }
    public Uri? BlobServiceUri { get; init; }
    public Uri? QueueServiceUri { get; init; }
    public Uri? TableServiceUri { get; init; }
    public TokenCredential? Credential { get; init; }
    public StorageClientOptions? ClientOptions { get; init; }

    /// <summary>Service URIs derived from an account name, the usual case in Azure.</summary>
    public static StorageAccountSettings ForAccount(string accountName, TokenCredential credential, string endpointSuffix = "core.windows.net") => new()
    {
        BlobServiceUri = new Uri($"https://{accountName}.blob.{endpointSuffix}"),
        QueueServiceUri = new Uri($"https://{accountName}.queue.{endpointSuffix}"),
        TableServiceUri = new Uri($"https://{accountName}.table.{endpointSuffix}"),
        Credential = credential,
    };
}

/// <summary>Builds the three service clients once, for the composition root.</summary>
public sealed class StorageClientsFactory
{
    public StorageClientsFactory(StorageAccountSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var options = settings.ClientOptions ?? new StorageClientOptions();
        if (!string.IsNullOrWhiteSpace(settings.ConnectionString))
        {
            if (settings.Credential is not null)
                throw new ArgumentException("Give either a connection string or a TokenCredential, not both.", nameof(settings));
            var parsed = StorageConnectionString.Parse(settings.ConnectionString);
            Blobs = new BlobServiceClient(parsed, options);
            Queues = new QueueServiceClient(parsed, options);
            Tables = new TableServiceClient(parsed, options);
            return;
        }

        var credential = settings.Credential
            ?? throw new ArgumentException("Storage needs a connection string or service URIs with a TokenCredential.", nameof(settings));
        Blobs = new BlobServiceClient(Require(settings.BlobServiceUri, "BlobServiceUri"), credential, options);
        Queues = new QueueServiceClient(Require(settings.QueueServiceUri, "QueueServiceUri"), credential, options);
        Tables = new TableServiceClient(Require(settings.TableServiceUri, "TableServiceUri"), credential, options);
    }

    public StorageClientsFactory(string connectionString) : this(new StorageAccountSettings { ConnectionString = connectionString })
    {
    }

    public BlobServiceClient Blobs { get; }
    public QueueServiceClient Queues { get; }
    public TableServiceClient Tables { get; }

    private static Uri Require(Uri? uri, string name) =>
        uri ?? throw new ArgumentException($"{name} is required with a TokenCredential.", nameof(StorageAccountSettings));
}
