using DbxSync.Core.Errors;
using DbxSync.Core.Ports;
using DbxSync.Core.Runs;
using DbxSync.Core.State;

namespace DbxSync.Core.Syncs;

/// <summary>What the imports of dropped files (labeled CSVs, annotation files) share: the ETag-bound move and a scan's summary.</summary>
public static class DroppedFiles
{
    /// <summary>
    /// Copies the version of {blob.Container}/{name} that was validated to {container}/{name} and deletes that version.
    /// Returns "container/name", or null when the blob was replaced meanwhile (the new version is left alone).
    /// </summary>
    public static async Task<string?> MoveAsync(IBlobStore blobs, BlobItem blob, string container, CancellationToken cancellationToken)
    {
        try
        {
            await blobs.CopyAsync(blob.Container, blob.Name, container, blob.Name, blob.ETag, cancellationToken);
            await blobs.DeleteAsync(blob.Container, blob.Name, blob.ETag, cancellationToken);
            return $"{container}/{blob.Name}";
        }
        catch (ConcurrencyException)
        {
            return null;
        }
    }

    /// <summary>One run's result over several files of a scan (<paramref name="files"/> names them, e.g. "labeled files").</summary>
    public static SyncResult Combine(List<SyncResult> results, string files)
    {
        if (results.Count == 1) return results[0];
        var errors = results.Where(r => r.Error is not null).Select(r => r.Error).ToList();
        var worked = results.Where(r => r.Outcome != RunOutcome.NoChange || r.Error is not null).ToList();
        return new SyncResult
        {
            Outcome = worked.Count == 0 ? RunOutcome.NoChange : RunOutcome.Succeeded,
            Rows = results.Sum(r => r.Rows),
            Files = results.Sum(r => r.Files),
            Bytes = results.Sum(r => r.Bytes),
            UpdatedRows = results.Sum(r => r.UpdatedRows ?? 0),
            InsertedRows = results.Sum(r => r.InsertedRows ?? 0),
            Message = $"{results.Count} {files}: {results.Count - errors.Count} imported or already done, {errors.Count} rejected or failed" +
                      string.Concat(results.Where(r => r.Error is null && r.Message is not null).Select(r => "; " + r.Message)),
            Error = errors.Count == 0 ? null : string.Join("; ", errors),
            // The worst class decides what the runner does: a permanent one puts the config into its error state.
            FailureClass = results.Where(r => r.Error is not null).Select(r => r.FailureClass ?? FailureClass.Permanent)
                .OrderBy(c => c switch { FailureClass.Permanent => 0, FailureClass.Transient => 1, _ => 2 }).Cast<FailureClass?>().FirstOrDefault(),
        };
    }
}
