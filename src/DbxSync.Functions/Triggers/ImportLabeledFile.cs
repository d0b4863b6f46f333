using Azure.Storage.Blobs;
using DbxSync.Core.Runs;
using DbxSync.Core.Syncs;
using Microsoft.Azure.Functions.Worker;

namespace DbxSync.Functions.Triggers;

/// <summary>A labeled CSV landed in labeled/{configId}/: import it. The blob is bound as a client, never as content, so any size streams.</summary>
public sealed class ImportLabeledFile(BlobDropDispatcher dispatcher)
{
    [Function(nameof(ImportLabeledFile))]
    public async Task Run(
        [BlobTrigger(BlobContainers.Labeled + "/{name}", Source = BlobTriggerSource.EventGrid, Connection = "AzureWebJobsStorage")] BlobClient blob,
        string name, CancellationToken ct)
        => RunFailedException.ThrowIfRetryable(await dispatcher.HandleAsync(blob.BlobContainerName, name, ct));
}
