using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using DbxSync.Core.Configs;
using DbxSync.Core.Ports;
using DbxSync.Core.Runs;
using DbxSync.Core.Sql;
using DbxSync.Core.State;

namespace DbxSync.Core.Syncs.Volumes;

/// <summary>volume_reverse: blobs under volumes/{config}/ (one announced blob, or a scan) uploaded into the volume, directories created as needed.</summary>
public sealed class VolumeReverseSync(IBlobStore blobs, SyncStateRepository state, TimeProvider time, VolumeSyncOptions options) : ISync
{
    public SyncConfigType Type => SyncConfigType.VolumeReverse;

    public async Task<SyncResult> RunAsync(SyncContext context, CancellationToken cancellationToken)
    {
        var root = VolumePath.Parse(context.Config.DatabricksPath);
        var prefix = context.Config.Id + "/";
        var createdDirectories = new ConcurrentDictionary<string, Task>(StringComparer.Ordinal);
        var plan = new FileTransferPlan(state, context, options.MaxParallelTransfers);
        var scan = context.SubjectBlob is null;
        var totals = await plan.RunAsync(
            ListAsync(prefix, context.SubjectBlob, cancellationToken),
            async (file, ct) =>
            {
                var target = root.Combine(file.RelativePath);
                var slash = file.RelativePath.LastIndexOf('/');
                if (slash > 0)
                {
                    var directory = root.Combine(file.RelativePath[..slash]);
                    await createdDirectories.GetOrAdd(directory, d => context.Workspace.CreateDirectoryAsync(d, ct));
                }
                await using var content = plan.Track(await blobs.OpenReadAsync(BlobContainers.Volumes, prefix + file.RelativePath, ct));
                await context.Workspace.UploadFileAsync(target, content, overwrite: true, ct);
            },
            // Only a full scan knows what is gone; a single announced blob says nothing about the others.
            scan && context.Config.PropagateDeletes ? (path, ct) => context.Workspace.DeleteFileAsync(root.Combine(path), ct) : null,
            time.GetUtcNow(),
            cancellationToken);
        return FileTransferPlan.ToResult(totals, $"{BlobContainers.Volumes}/{prefix} -> {root}");
    }

    private async IAsyncEnumerable<SourceFile> ListAsync(string prefix, string? subject, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        if (subject is not null)
        {
            if (!subject.StartsWith(prefix, StringComparison.Ordinal)) yield break;
            var one = await blobs.GetPropertiesAsync(BlobContainers.Volumes, subject, cancellationToken);
            if (one is not null) yield return new SourceFile(one.Name[prefix.Length..], one.Length, one.ETag, one);
            yield break;
        }
        await foreach (var blob in blobs.ListAsync(BlobContainers.Volumes, prefix, cancellationToken))
            yield return new SourceFile(blob.Name[prefix.Length..], blob.Length, blob.ETag, blob);
    }
}
