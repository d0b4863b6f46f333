using System.Globalization;
using System.Runtime.CompilerServices;
using DbxSync.Core.Configs;
using DbxSync.Core.Ports;
using DbxSync.Core.Runs;
using DbxSync.Core.Sql;
using DbxSync.Core.State;

namespace DbxSync.Core.Syncs.Volumes;

public sealed record VolumeSyncOptions
{
    /// <summary>
    /// Small files are latency-bound (download, upload, manifest write each): 8 at a time keeps the pipes busy, while a
    /// large file holds at most two 8 MiB blocks, so eight large ones stay within the memory budget.
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
        var totals = await plan.RunAsync(
            ListAsync(context.Workspace, root, cancellationToken),
            async (file, ct) =>
            {
                var entry = (VolumeEntry)file.Handle;
                await using var content = await context.Workspace.DownloadFileAsync(entry.Path, ct);
                await blobs.UploadAsync(BlobContainers.Volumes, prefix + file.RelativePath, content, new BlobWriteOptions
                {
                    ContentType = "application/octet-stream",
                    Metadata = new Dictionary<string, string> { ["dbxsync_config"] = context.Config.Id, ["dbxsync_fingerprint"] = file.Fingerprint },
                }, ct);
            },
            context.Config.PropagateDeletes ? (path, ct) => blobs.DeleteAsync(BlobContainers.Volumes, prefix + path, ct) : null,
            time.GetUtcNow(),
            cancellationToken);
        return FileTransferPlan.ToResult(totals, $"{root} -> {BlobContainers.Volumes}/{prefix}");
    }

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
