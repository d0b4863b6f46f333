using DbxSync.Core.Errors;
using DbxSync.Core.Ports;
using DbxSync.Core.Sql;
using Microsoft.Extensions.Logging;

namespace DbxSync.Core.Syncs.LabeledImport;

/// <summary>
/// A labeled file staged in the config's volume and counted there: the rows the MERGE source yields, as the workspace
/// reads them. Started as soon as the file's header is validated, it runs while the app validates the rest of the
/// file, so the app's pass and the workspace's read overlap instead of following each other. The MERGE still waits
/// for both: a valid file, and a count equal to the validated rows. Disposing stops it and deletes the staged file;
/// a file that fails validation was staged for nothing and is deleted like any other.
/// </summary>
public sealed class StagedLabeledFile(SyncContext context, IBlobStore blobs, BlobItem blob) : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private Task<long?>? _counting;

    /// <summary>Unique per run: a retry never reads another run's half-written file.</summary>
    public string Path { get; } = VolumePath.Parse(context.Config.StagingVolumePath, "staging_volume_path")
        .Combine($"dbxsync-{context.Config.Id}-{context.RunId}.csv");

    /// <summary>Stages the file, then runs <paramref name="count"/> on its staged path, in the background.</summary>
    public void Start(Func<string, CancellationToken, Task<long?>> count, CancellationToken cancellationToken)
    {
        if (_counting is not null) return;
        var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _stop.Token);
        _counting = Task.Run(async () =>
        {
            using (linked) return await StageAndCountAsync(count, linked.Token);
        }, CancellationToken.None);
    }

    /// <summary>What the count answered (null when the workspace answered no count).</summary>
    public Task<long?> CountAsync() => _counting ?? throw new InvalidOperationException("The staged file was never started: its header was not validated.");

    private async Task<long?> StageAndCountAsync(Func<string, CancellationToken, Task<long?>> count, CancellationToken cancellationToken)
    {
        await using (var content = await blobs.OpenReadAsync(BlobContainers.Labeled, blob.Name, blob.ETag, cancellationToken))
            await context.Workspace.UploadFileAsync(Path, new Utf8BomSkippingStream(content), overwrite: true, cancellationToken);
        context.Logger.LogInformation("Staged labeled/{Blob} at {StagedPath}; counting the rows the workspace reads from it", blob.Name, Path);
        return await count(Path, cancellationToken);
    }

    public async ValueTask DisposeAsync()
    {
        if (_counting is not null)
        {
            await _stop.CancelAsync();
            // Its outcome no longer matters here: a failure that counted was already seen by CountAsync.
            try { await _counting; }
            catch (Exception) { }
            try { await context.Workspace.DeleteFileAsync(Path, CancellationToken.None); }
            catch (Exception ex) when (ex is WorkspaceException or HttpRequestException)
            {
                context.Logger.LogWarning("Could not delete staging file {StagedPath}: {Error}", Path, ex.Message);
            }
        }
        _stop.Dispose();
    }
}
