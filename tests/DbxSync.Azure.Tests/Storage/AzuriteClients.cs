using Azure.Data.Tables;
using Azure.Storage.Blobs;
using DbxSync.Testing;

namespace DbxSync.Azure.Tests.Storage;

/// <summary>SDK clients on the shared Azurite, built once per test process.</summary>
internal static class AzuriteClients
{
    private static readonly Lazy<BlobServiceClient> BlobsLazy = new(() => new BlobServiceClient(ConnectionString));
    private static readonly Lazy<TableServiceClient> TablesLazy = new(() => new TableServiceClient(ConnectionString));

    public static BlobServiceClient Blobs => BlobsLazy.Value;
    public static TableServiceClient Tables => TablesLazy.Value;
    public static string ConnectionString => AzuriteInstance.Shared.ConnectionString;

    public static string ContainerName() => AzuriteInstance.UniqueName("c");
    public static string TableName() => AzuriteInstance.UniqueName("t");
}
