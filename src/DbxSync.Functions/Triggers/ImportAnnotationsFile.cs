using Azure.Storage.Blobs;
using DbxSync.Core.Runs;
using DbxSync.Core.Syncs;
using Microsoft.Azure.Functions.Worker;

namespace DbxSync.Functions.Triggers;

/// <summary>An annotation file landed in annotations/{configId}/: an annotations_reverse config upserts it. Bound as a client, so any size streams.</summary>
public sealed class ImportAnnotationsFile(BlobDropDispatcher dispatcher)
{
    [Function(nameof(ImportAnnotationsFile))]
    public async Task Run(
        [BlobTrigger(BlobContainers.Annotations + "/{name}", Source = BlobTriggerSource.EventGrid, Connection = "AzureWebJobsStorage")] BlobClient blob,
        string name, CancellationToken ct)
        => RunFailedException.ThrowIfRetryable(await dispatcher.HandleAsync(blob.BlobContainerName, name, ct));
}
