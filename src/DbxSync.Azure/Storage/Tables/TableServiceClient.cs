using Azure;
using Azure.Core;
using Azure.Core.Pipeline;

namespace DbxSync.Azure.Storage.Tables;

/// <summary>Entry point to the Table service of one account.</summary>
public sealed class TableServiceClient
{
    public TableServiceClient(string connectionString, StorageClientOptions? options = null)
        : this(StorageConnectionString.Parse(connectionString), options)
    {
    }

    public TableServiceClient(StorageConnectionString connectionString, StorageClientOptions? options = null)
        : this(connectionString.TableEndpoint,
            connectionString.Credential ?? throw new ArgumentException("The connection string has no AccountKey.", nameof(connectionString)),
            options)
    {
    }

    public TableServiceClient(Uri serviceUri, StorageSharedKeyCredential credential, StorageClientOptions? options = null)
        : this(serviceUri, StoragePipelineFactory.Create(options ?? new StorageClientOptions(), StorageServiceKind.Table, credential))
    {
    }

    /// <summary>Entra ID works against Azure only: Azurite's Table service has no OAuth.</summary>
    public TableServiceClient(Uri serviceUri, TokenCredential credential, StorageClientOptions? options = null)
        : this(serviceUri, StoragePipelineFactory.Create(options ?? new StorageClientOptions(), StorageServiceKind.Table, credential))
    {
    }

    private TableServiceClient(Uri serviceUri, HttpPipeline pipeline)
    {
        Uri = new Uri(serviceUri.AbsoluteUri.TrimEnd('/'));
        Pipeline = pipeline;
    }

    public Uri Uri { get; }
    internal HttpPipeline Pipeline { get; }

    public TableClient GetTableClient(string tableName) => new(this, tableName);

    /// <summary>One cheap authenticated round trip (Query Tables, $top=1), for health checks.</summary>
    public async Task<Response> PingAsync(CancellationToken cancellationToken = default)
    {
        using var message = Pipeline.CreateMessage(RequestMethod.Get, new Uri(Uri.AbsoluteUri + "/Tables?$top=1"));
        message.Request.Headers.SetValue("Accept", "application/json;odata=nometadata");
        return await Pipeline.SendCheckedAsync(message, cancellationToken).ConfigureAwait(false);
    }
}
