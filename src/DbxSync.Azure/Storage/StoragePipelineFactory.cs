using Azure.Core;
using Azure.Core.Pipeline;

namespace DbxSync.Azure.Storage;

/// <summary>Builds the Azure.Core pipeline for one service with either Shared Key or Entra ID auth.</summary>
internal static class StoragePipelineFactory
{
    public const string StorageScope = "https://storage.azure.com/.default";

    public static HttpPipeline Create(StorageClientOptions options, StorageServiceKind service, StorageSharedKeyCredential credential)
    {
        HttpPipelinePolicy signing = service == StorageServiceKind.Table
            ? new SharedKeyLiteTablePolicy(credential)
            : new SharedKeyBlobQueuePolicy(credential);
        return Build(options, service, signing);
    }

    public static HttpPipeline Create(StorageClientOptions options, StorageServiceKind service, TokenCredential credential) =>
        Build(options, service, new BearerTokenAuthenticationPolicy(credential, StorageScope));

    private static HttpPipeline Build(StorageClientOptions options, StorageServiceKind service, HttpPipelinePolicy auth) =>
        HttpPipelineBuilder.Build(
            options,
            perCallPolicies: [],
            // Headers first, then auth: a signature covers the headers, so signing must see them all.
            perRetryPolicies: [new StorageServiceHeadersPolicy(service, options.VersionFor(service)), auth],
            new ResponseClassifier());
}
