using Azure.Storage.Blobs;
using Microsoft.Azure.Functions.Worker;

namespace DbxSync.FunctionsHost.FixtureApp;

public sealed class BlobFunctions(Journal journal)
{
    /// <summary>Binds a BlobClient (never the content) and reads the blob itself, like the app's import.</summary>
    [Function("OnBlob")]
    public async Task OnBlob(
        [BlobTrigger("fixture-blobs/{name}", Source = BlobTriggerSource.EventGrid)] BlobClient blob, string name, FunctionContext context)
    {
        var content = (await blob.DownloadContentAsync()).Value.Content.ToString();
        var data = context.BindingContext.BindingData;
        await journal.WriteAsync("blob", new
        {
            name,
            blobName = blob.Name,
            container = blob.BlobContainerName,
            content,
            blobTrigger = data["BlobTrigger"]?.ToString(),
            uri = data["Uri"]?.ToString(),
        });
        if (content.StartsWith("fail", StringComparison.Ordinal))
            throw new InvalidOperationException("fixture blob failure for " + name);
    }
}
