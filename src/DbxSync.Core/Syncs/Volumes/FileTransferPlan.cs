using DbxSync.Core.Runs;
using DbxSync.Core.Sql;
using DbxSync.Core.State;
using Microsoft.Extensions.Logging;

namespace DbxSync.Core.Syncs.Volumes;

/// <summary>A file seen on the source side of a volume sync, by its path relative to the sync root.</summary>
public sealed record SourceFile(string RelativePath, long Size, string Fingerprint, object Handle);

public sealed record TransferTotals(long Files, long Bytes, long Unchanged, long Refused, long Deleted);

/// <summary>
/// What both volume directions share: compare the source listing with the manifest of what was sent, transfer
/// only new or changed files with bounded parallelism, record each in the manifest as soon as it lands, and
/// optionally delete on the target what left the source.
/// </summary>
public sealed class FileTransferPlan(SyncStateRepository state, SyncContext context, int maxParallel)
{
    private long _files, _bytes, _unchanged, _refused, _deleted;
    // Files done of the files to send, and bytes as they stream (a large file moves the bar while it is copied).
    private readonly ProgressMeter _listed = new(context.Progress, "list", "files");
    private readonly ProgressMeter _meter = new(context.Progress, "transfer", "files");

    /// <summary>The content of a file being sent, counted into the run's progress as it is read.</summary>
    public Stream Track(Stream content) => _meter.Track(content);

    public async Task<TransferTotals> RunAsync(
        IAsyncEnumerable<SourceFile> source,
        Func<SourceFile, CancellationToken, Task> transfer,
        Func<string, CancellationToken, Task>? deleteOnTarget,
        DateTimeOffset now,
        CancellationToken cancellationToken)
    {
        var configId = context.Config.Id;
        var manifest = await state.GetManifestAsync(configId, cancellationToken);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var changed = new List<SourceFile>();
        _listed.Report();
        await foreach (var file in source.WithCancellation(cancellationToken))
        {
            if (!RelativePath.IsSafe(file.RelativePath))
            {
                Interlocked.Increment(ref _refused);
                context.Logger.LogWarning("Refusing to sync '{Path}': '..', absolute or empty segments are not allowed", file.RelativePath);
                continue;
            }
            seen.Add(file.RelativePath);
            _listed.Add(1, file.Size);
            if (manifest.TryGetValue(file.RelativePath, out var sent) && sent.Fingerprint == file.Fingerprint && sent.Size == file.Size)
                _unchanged++;
            else
                changed.Add(file);
        }

        var total = changed.Count;
        _meter.Total = total;
        _meter.BytesTotal = changed.Sum(f => f.Size);
        _meter.Report();
        var landed = new ManifestBatch(state, configId);
        try
        {
            await Parallel.ForEachAsync(changed, new ParallelOptions { MaxDegreeOfParallelism = maxParallel, CancellationToken = cancellationToken }, async (file, ct) =>
            {
                await transfer(file, ct);
                await landed.AddAsync(new ManifestEntry(file.RelativePath, file.Size, file.Fingerprint, now), ct);
                var done = Interlocked.Increment(ref _files);
                Interlocked.Add(ref _bytes, file.Size);
                _meter.Add(1, 0);
                if (done % 100 == 0 || done == total)
                    context.Logger.LogInformation("Transferred {Done}/{Total} files ({Bytes} bytes)", done, total, Interlocked.Read(ref _bytes));
            });
        }
        catch
        {
            // The files that did land are recorded, so the next run does not send them again; if that write fails too,
            // they are sent again (an overwrite), and the transfer's own failure is the one reported.
            try { await landed.FlushAsync(CancellationToken.None); }
            catch (Exception e) { context.Logger.LogWarning(e, "Recording the files sent before the failure failed; they will be sent again"); }
            throw;
        }
        await landed.FlushAsync(cancellationToken);

        _meter.Report();
        if (deleteOnTarget is not null)
        {
            foreach (var gone in manifest.Keys.Where(k => !seen.Contains(k)))
            {
                await deleteOnTarget(gone, cancellationToken);
                await state.RemoveManifestEntryAsync(configId, gone, cancellationToken);
                _deleted++;
            }
        }
        return new TransferTotals(_files, _bytes, _unchanged, _refused, _deleted);
    }

    public static SyncResult ToResult(TransferTotals t, string direction)
    {
        var message = $"{direction}: {t.Files} sent, {t.Unchanged} unchanged, {t.Deleted} deleted, {t.Refused} refused";
        return t.Files == 0 && t.Deleted == 0 && t.Refused == 0
            ? SyncResult.NoChange(message)
            : new SyncResult { Files = t.Files, Bytes = t.Bytes, Message = message };
    }
}
