using Azure.Storage.Blobs;
using DbxSync.Core.Runs;
using DbxSync.Core.Syncs;
using Microsoft.Azure.Functions.Worker;

namespace DbxSync.Functions.Triggers;

/// <summary>A blob landed in volumes/{configId}/: a volume_reverse config uploads it into its volume (volume_forward's own writes are ignored).</summary>
public sealed class SyncToVolume(BlobDropDispatcher dispatcher)
{
    [Function(nameof(SyncToVolume))]
    public async Task Run(
        [BlobTrigger(BlobContainers.Volumes + "/{name}", Source = BlobTriggerSource.EventGrid, Connection = "AzureWebJobsStorage")] BlobClient blob,
        string name, CancellationToken ct)
        => RunFailedException.ThrowIfRetryable(await dispatcher.HandleAsync(blob.BlobContainerName, name, ct));
}
