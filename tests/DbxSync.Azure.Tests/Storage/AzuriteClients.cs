using DbxSync.Azure.Storage;
using DbxSync.Testing;

namespace DbxSync.Azure.Tests.Storage;

/// <summary>Clients on the shared Azurite, built once per test process.</summary>
internal static class AzuriteClients
{
    private static readonly Lazy<StorageClientsFactory> FactoryLazy = new(() => new StorageClientsFactory(AzuriteInstance.Shared.ConnectionString));

    public static StorageClientsFactory Factory => FactoryLazy.Value;
    public static string ConnectionString => AzuriteInstance.Shared.ConnectionString;

    public static string ContainerName() => AzuriteInstance.UniqueName("c");
    public static string TableName() => AzuriteInstance.UniqueName("t");
}
