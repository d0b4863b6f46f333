using System.Text.Json;
using DbxSync.Core.Errors;
using DbxSync.Core.Ports;
using DbxSync.Core.Runs;
using DbxSync.Core.State;
using DbxSync.Core.Syncs.LabeledImport;
using Microsoft.Extensions.Logging;

namespace DbxSync.Core.Syncs;

/// <summary>
/// A kind of file a labeling platform drops for import (labeled CSVs, annotation files): where it lands, which names
/// an import takes, and the words its run messages use.
/// </summary>
/// <param name="Extension">The file name ending an import takes, for messages (".csv").</param>
/// <param name="Plural">The files in a scan's summary ("labeled files").</param>
/// <param name="Target">What a rejected file leaves unchanged ("table").</param>
/// <param name="Field">What an error's column is called in a summary ("column").</param>
/// <param name="IsImportable">(config id, blob name): whether an import of that config takes the blob.</param>
public sealed record DroppedFileKind(string Container, string Extension, string Plural, string Target, string Field, Func<string, string, bool> IsImportable);

/// <summary>
/// What the imports of dropped files (labeled CSVs, annotation files) share: the one file of a blob event or every
/// waiting file of a scan, the check for a file imported before a crash kept it from moving, the ETag-bound move, the
/// report beside a processed file and the error report beside a rejected one. The import of one version of one file
/// is the sync's own.
/// </summary>
public sealed class DroppedFiles(IBlobStore blobs, SyncStateRepository state, TimeProvider time, DroppedFileKind kind)
{
    private static readonly JsonSerializerOptions ErrorReportJson = new() { WriteIndented = true };

    /// <summary>Imports the file the run's blob event names, or every waiting file when the run is a scan.</summary>
    /// <param name="importVersion">Imports the version of a file (its ETag) that is there now.</param>
    public async Task<SyncResult> ImportAsync(SyncContext context, Func<BlobItem, CancellationToken, Task<SyncResult>> importVersion, CancellationToken cancellationToken)
    {
        var configId = context.Config.Id;
        if (context.SubjectBlob is { } subject)
        {
            if (!kind.IsImportable(configId, subject))
                return SyncResult.NoChange($"{kind.Container}/{subject} is not a {kind.Extension} file under {kind.Container}/{configId}/; ignored");
            return await ImportOneAsync(context, subject, importVersion, cancellationToken);
        }
        var names = await WaitingAsync(configId, cancellationToken);
        if (names.Count == 0) return SyncResult.NoChange($"no {kind.Plural} waiting");
        var results = new List<SyncResult>();
        foreach (var name in names)
            results.Add(await ImportOrKeepAsync(context, name, importVersion, cancellationToken));
        return Combine(results, kind.Plural);
    }

    /// <summary>
    /// In name order: a platform that numbers or dates its exports gets them applied in that order (the imports'
    /// guards make the outcome the same either way; the order keeps the run log readable).
    /// </summary>
    private async Task<List<string>> WaitingAsync(string configId, CancellationToken cancellationToken)
    {
        var names = new List<string>();
        await foreach (var b in blobs.ListAsync(kind.Container, configId + "/", cancellationToken))
            if (kind.IsImportable(configId, b.Name)) names.Add(b.Name);
        names.Sort(StringComparer.Ordinal);
        return names;
    }

    /// <summary>One file of a scan: its failure (an outage, a storage error) must not hold up the files behind it.</summary>
    private async Task<SyncResult> ImportOrKeepAsync(SyncContext context, string name, Func<BlobItem, CancellationToken, Task<SyncResult>> importVersion, CancellationToken cancellationToken)
    {
        try
        {
            return await ImportOneAsync(context, name, importVersion, cancellationToken);
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
        {
            context.Logger.LogWarning(ex, "Import of {Container}/{Blob} failed; it stays for the next scan, continuing with the next file", kind.Container, name);
            return new SyncResult { Error = $"{kind.Container}/{name} failed and stays for the next scan: {ex.Message}", FailureClass = FailureClassifier.Classify(ex) };
        }
    }

    private async Task<SyncResult> ImportOneAsync(SyncContext context, string name, Func<BlobItem, CancellationToken, Task<SyncResult>> importVersion, CancellationToken cancellationToken)
    {
        var blob = await blobs.GetPropertiesAsync(kind.Container, name, cancellationToken);
        if (blob is null) return SyncResult.NoChange($"{kind.Container}/{name} is gone (already processed)");
        try
        {
            if (await state.WasImportedAsync(context.Config.Id, name, blob.ETag, cancellationToken))
            {
                // Imported before a crash kept it from moving: finish the move, do not merge again.
                await MoveAsync(blob, BlobContainers.Processed, cancellationToken);
                return SyncResult.NoChange($"{kind.Container}/{name} was already imported");
            }
            return await importVersion(blob, cancellationToken);
        }
        catch (ConcurrencyException)
        {
            // Replaced after we looked: the targets are untouched by this version, and the new one has its own event.
            context.Logger.LogInformation("{Container}/{Blob} changed since it was validated; left for its own event", kind.Container, name);
            return ReplacedResult(blob);
        }
    }

    /// <summary>
    /// After an import: {name}.report.json beside the processed file, the version marked imported, the file moved to
    /// processed/. Returns the result of the import of <paramref name="blob"/> that <paramref name="report"/> describes.
    /// </summary>
    public async Task<SyncResult> CompleteAsync(SyncContext context, BlobItem blob, DroppedFileReport report, long rows, long? updated, long? inserted, CancellationToken cancellationToken)
    {
        var reportName = blob.Name + DroppedFileReport.Suffix;
        using (var body = new MemoryStream(report.ToJson()))
            await blobs.UploadAsync(BlobContainers.Processed, reportName, body, new BlobWriteOptions { ContentType = "application/json" }, cancellationToken);
        await state.MarkImportedAsync(context.Config.Id, blob.Name, blob.ETag, time.GetUtcNow(), cancellationToken);
        var processed = await MoveAsync(blob, BlobContainers.Processed, cancellationToken);
        var message = report.Summary($"{BlobContainers.Processed}/{reportName}");
        context.Logger.LogInformation("Imported {Container}/{Blob}: {Summary}; moved to {Processed}", kind.Container, blob.Name, message, processed ?? "(left in place: replaced after the import)");
        if (processed is null) message += $"; {kind.Container}/{blob.Name} was replaced after the import, the new version is left for its own event";
        return new SyncResult
        {
            Rows = rows,
            Files = 1,
            Bytes = blob.Length,
            UpdatedRows = updated,
            InsertedRows = inserted,
            Output = processed ?? $"{kind.Container}/{blob.Name}",
            Message = message,
        };
    }

    /// <summary>
    /// A bad file changes nothing: it moves to failed/ with {name}.errors.json (line-numbered, capped) beside it, the
    /// run fails as data and the config stays healthy.
    /// </summary>
    public async Task<SyncResult> RejectAsync(SyncContext context, BlobItem blob, IReadOnlyList<ImportError> errors, long errorCount, CancellationToken cancellationToken)
    {
        var failedName = await MoveAsync(blob, BlobContainers.Failed, cancellationToken);
        if (failedName is null) return ReplacedResult(blob);
        // One shape for every kind, so the API's error-report route serves them all.
        var report = new ImportErrorReport(failedName, errorCount, errorCount > errors.Count, errors.Select(e => new ImportErrorLine(e.Line, e.Column, e.Message)).ToList())
        {
            ConfigId = context.Config.Id,
            Blob = $"{kind.Container}/{blob.Name}",
            FailedAt = time.GetUtcNow(),
        };
        using (var body = new MemoryStream(JsonSerializer.SerializeToUtf8Bytes(report, ErrorReportJson)))
            await blobs.UploadAsync(BlobContainers.Failed, blob.Name + ImportErrorReports.Suffix, body, new BlobWriteOptions { ContentType = "application/json" }, cancellationToken);
        await state.MarkImportedAsync(context.Config.Id, blob.Name, blob.ETag, time.GetUtcNow(), cancellationToken);

        var first = errors.Count > 0 ? errors[0] : null;
        var summary = first is null ? "the file was rejected"
            : $"{errorCount} error(s); first: line {first.Line}{(first.Column is null ? "" : $", {kind.Field} '{first.Column}'")}: {first.Message}";
        context.Logger.LogWarning("Rejected {Container}/{Blob}: {Summary}; moved to {Failed}", kind.Container, blob.Name, summary, failedName);
        return new SyncResult { Files = 1, Bytes = blob.Length, Output = failedName, Error = $"{kind.Container}/{blob.Name} rejected, {kind.Target} unchanged: {summary}", FailureClass = FailureClass.Data };
    }

    private SyncResult ReplacedResult(BlobItem blob)
        => SyncResult.NoChange($"{kind.Container}/{blob.Name} was replaced during the import; the new version is left for its own event");

    /// <summary>
    /// Copies the version of {blob.Container}/{name} that was validated to {container}/{name} and deletes that version.
    /// Returns "container/name", or null when the blob was replaced meanwhile (the new version is left alone).
    /// </summary>
    private async Task<string?> MoveAsync(BlobItem blob, string container, CancellationToken cancellationToken)
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
    private static SyncResult Combine(List<SyncResult> results, string files)
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
