using Azure.Storage.Blobs;
using DbxSync.Azure.Adapters;
using DbxSync.Core.Ports;
using DbxSync.Databricks;
using DbxSync.Databricks.Adapters;

namespace DbxSync.Cli;

/// <summary>The demo's own connections, from .dbxsync/local.env: it acts as the data engineer and the labeling platform.</summary>
public static class DemoConnections
{
    public static IDatabricksWorkspace Workspace()
    {
        var connector = new DatabricksConnector(DatabricksClientOptions.FromEnvironment());
        return connector.Connect(new WorkspaceCredentials(
            ApiClient.Env("DATABRICKS_HOST"), WorkspaceAuthType.PersonalAccessToken, null, ApiClient.Env("DATABRICKS_TOKEN"), "demo-cli"));
    }

    public static IBlobStore Blobs()
        => new BlobStore(new BlobServiceClient(ApiClient.Env("AZURE_STORAGE_CONNECTION_STRING")));
}
