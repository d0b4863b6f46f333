using System.Globalization;
using System.Runtime.CompilerServices;
using DbxSync.Core.Configs;
using DbxSync.Core.Ports;
using DbxSync.Core.Runs;
using DbxSync.Core.Sql;
using DbxSync.Core.State;
using DbxSync.Core.Syncs.Datasets;
using Microsoft.Extensions.Logging;

namespace DbxSync.Core.Syncs.Volumes;

public sealed record VolumeSyncOptions
{
    /// <summary>
    /// Small files are latency-bound (download, upload, manifest write each): 8 at a time keeps the pipes busy, while a
    /// large file holds at most two 4 MiB blocks, so eight large ones stay within the memory budget.
    /// </summary>
    public int MaxParallelTransfers { get; init; } = 8;
}

/// <summary>volume_forward: files of a Unity Catalog volume path, new or changed since last sent, streamed to volumes/{config}/{path}.</summary>
public sealed class VolumeForwardSync(IBlobStore blobs, SyncStateRepository state, TimeProvider time, VolumeSyncOptions options) : ISync
{
    public SyncConfigType Type => SyncConfigType.VolumeForward;

    public async Task<SyncResult> RunAsync(SyncContext context, CancellationToken cancellationToken)
    {
        var root = VolumePath.Parse(context.Config.DatabricksPath);
        var prefix = context.Config.Id + "/";
        var plan = new FileTransferPlan(state, context, options.MaxParallelTransfers);
        // inputs_table / inputs_manifest: what this run sends is recorded as dataset inputs (README "Datasets").
        var inputs = context.Config.InputsTable is not null || context.Config.InputsManifest ? new VolumeInputs() : null;
        var now = time.GetUtcNow();
        TransferTotals totals;
        try
        {
            totals = await plan.RunAsync(
                ListAsync(context.Workspace, root, cancellationToken),
                async (file, ct) =>
                {
                    var entry = (VolumeEntry)file.Handle;
                    var download = plan.Track(await context.Workspace.DownloadFileAsync(entry.Path, ct));
                    await using var content = inputs is null ? download : new HashingReadStream(download);
                    var contentType = inputs is null ? "application/octet-stream" : InputContentTypes.For(entry.Path);
                    await blobs.UploadAsync(BlobContainers.Volumes, prefix + file.RelativePath, content, new BlobWriteOptions
                    {
                        ContentType = contentType,
                        Metadata = new Dictionary<string, string> { ["dbxsync_config"] = context.Config.Id, ["dbxsync_fingerprint"] = file.Fingerprint },
                    }, ct);
                    inputs?.Sent(new InputFile(InputId(root, file.RelativePath), entry.Path, prefix + file.RelativePath, file.Size,
                        ((HashingReadStream)content).Sha256(), contentType, entry.LastModified));
                },
                context.Config.PropagateDeletes ? async (path, ct) =>
                {
                    await blobs.DeleteAsync(BlobContainers.Volumes, prefix + path, ct);
                    inputs?.Deleted(InputId(root, path));
                } : null,
                now,
                cancellationToken);
        }
        finally
        {
            // Also after a failed or cancelled transfer: the files that did land are recorded (their manifest
            // entries are saved, so the next run will not send them again).
            if (inputs is not null && context.Config.InputsTable is { } table)
                await inputs.WriteTableAsync(context, TableName.Parse(table, "inputs_table"), now, CancellationToken.None);
        }
        var result = FileTransferPlan.ToResult(totals, $"{root} -> {BlobContainers.Volumes}/{prefix}");
        if (inputs is not null && context.Config.InputsManifest
            && await inputs.WriteManifestAsync(blobs, context, TimeSpan.FromHours(context.Config.InputsUrlExpiryHours), now, cancellationToken) is var (manifest, signedWith))
        {
            context.Logger.LogInformation("Wrote input manifest {Container}/{Manifest} ({Files} inputs, {SignedWith} SAS URLs valid {Hours} h)",
                BlobContainers.Exports, manifest, inputs.SentCount, signedWith, context.Config.InputsUrlExpiryHours);
            result = result with { Output = $"{BlobContainers.Exports}/{manifest}", Message = result.Message + $"; input manifest {BlobContainers.Exports}/{manifest}" };
        }
        return result;
    }

    /// <summary>An input's id: its path relative to the volume root (stable and unique, never a random id).</summary>
    private static string InputId(VolumePath root, string relativePath) => string.Join('/', root.Directories.Append(relativePath));

    private static async IAsyncEnumerable<SourceFile> ListAsync(IDatabricksWorkspace workspace, VolumePath root, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var rootPath = root.Path + "/";
        await foreach (var entry in workspace.ListDirectoryRecursiveAsync(root.Path, cancellationToken))
        {
            if (entry.IsDirectory || !entry.Path.StartsWith(rootPath, StringComparison.Ordinal)) continue;
            var size = entry.Size ?? 0;
            var modified = entry.LastModified?.ToUnixTimeMilliseconds() ?? 0;
            yield return new SourceFile(entry.Path[rootPath.Length..], size, string.Create(CultureInfo.InvariantCulture, $"{size}:{modified}"), entry);
        }
    }
}
