using DbxSync.Core.Configs;
using DbxSync.Core.Syncs;
using DbxSync.Core.Syncs.Annotations;
using DbxSync.Core.Syncs.LabeledImport;
using Microsoft.Extensions.Logging;

namespace DbxSync.Core.Runs;

/// <summary>
/// Routes a blob that appeared (the ImportLabeledFile / SyncToVolume blob triggers) to the config it
/// belongs to: labeled/{configId}/... -> table_reverse, volumes/{configId}/... -> volume_reverse,
/// annotations/{configId}/... -> annotations_reverse.
/// </summary>
public sealed class BlobDropDispatcher(SyncConfigRepository configs, ISyncRunner runner, ILogger<BlobDropDispatcher> logger)
{
    /// <summary>Returns the run, or null when the blob belongs to no config that imports it (ignored, logged).</summary>
    public async Task<SyncRun?> HandleAsync(string container, string blobName, CancellationToken cancellationToken = default)
    {
        var expected = container switch
        {
            BlobContainers.Labeled => SyncConfigType.TableReverse,
            BlobContainers.Volumes => SyncConfigType.VolumeReverse,
            BlobContainers.Annotations => SyncConfigType.AnnotationsReverse,
            _ => (SyncConfigType?)null,
        };
        var slash = blobName.IndexOf('/');
        if (expected is null || slash <= 0 || slash == blobName.Length - 1)
        {
            logger.LogInformation("Ignoring blob {Container}/{Blob}: not under labeled/, volumes/ or annotations/{{config}}/", container, blobName);
            return null;
        }
        var configId = blobName[..slash];
        if (expected == SyncConfigType.TableReverse && !LabeledBlobName.IsImportable(configId, blobName))
        {
            // The same filter as the import's scan: only .csv files, and no name that could resolve elsewhere.
            logger.LogInformation("Ignoring blob {Container}/{Blob}: not a .csv file under labeled/{{config}}/ (or a name with dot segments or encoded separators)", container, blobName);
            return null;
        }
        if (expected == SyncConfigType.AnnotationsReverse && !AnnotationFile.IsImportable(configId, blobName))
        {
            logger.LogInformation("Ignoring blob {Container}/{Blob}: not a .jsonl file under annotations/{{config}}/ (or a name with dot segments or encoded separators)", container, blobName);
            return null;
        }
        var config = Guid.TryParse(configId, out _) ? await configs.GetAsync(configId, cancellationToken) : null;
        if (config is not null && config.ConfigType == SyncConfigType.VolumeForward && expected == SyncConfigType.VolumeReverse)
        {
            // volume_forward writes under volumes/ too, and Event Grid announces those writes: expected, nothing to do.
            logger.LogDebug("Blob {Container}/{Blob} was written by volume_forward config {ConfigId}; no import", container, blobName, configId);
            return null;
        }
        if (config is null || config.ConfigType != expected)
        {
            logger.LogWarning("Ignoring blob {Container}/{Blob}: no {ConfigType} config {ConfigId}", container, blobName, expected.Value.ToWire(), configId);
            return null;
        }
        return await runner.RunAsync(new RunRequest(config.Id, RunTrigger.BlobEvent, blobName), cancellationToken);
    }
}
