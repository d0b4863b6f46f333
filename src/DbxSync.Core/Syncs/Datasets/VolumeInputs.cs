using System.Collections.Concurrent;
using System.Globalization;
using System.Text.Json;
using DbxSync.Core.Ports;
using DbxSync.Core.Sql;
using DbxSync.Core.Syncs.Annotations;
using DbxSync.Core.Syncs.TableExport;
using Microsoft.Extensions.Logging;

namespace DbxSync.Core.Syncs.Datasets;

/// <summary>One file volume_forward sent to blob storage, as the inputs table records it.</summary>
public sealed record InputFile(string InputId, string VolumePath, string BlobName, long SizeBytes, string Sha256, string ContentType, DateTimeOffset? SourceModifiedAt);

/// <summary>
/// What a volume_forward run with inputs_table / inputs_manifest records: the files it sent (and, with
/// propagate_deletes, the ones it deleted) are collected while the transfers run, then upserted into the inputs
/// table with ONE MERGE by input_id (staged through INSERTs of one JSON parameter each), and listed in a Clarifai-format manifest.
/// </summary>
public sealed class VolumeInputs
{
    /// <summary>Clarifai's CSV input format (inputid, input, concepts, metadata, geopoints).</summary>
    public static readonly IReadOnlyList<string> ManifestHeader = ["inputid", "input", "concepts", "metadata", "geopoints"];

    private readonly ConcurrentQueue<InputFile> _sent = new();
    private readonly ConcurrentQueue<string> _deleted = new();

    public int SentCount => _sent.Count;

    public void Sent(InputFile file) => _sent.Enqueue(file);
    public void Deleted(string inputId) => _deleted.Enqueue(inputId);

    /// <summary>The manifest of one run: under exports/{config}/inputs/, a prefix no volume file can reach.</summary>
    public static string ManifestName(string configId, DateTimeOffset now, string runId)
        => $"{configId}/inputs/{now.UtcDateTime.ToString("yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture)}-{runId}.csv";

    /// <summary>Creates the table when missing, then ONE MERGE of this run's files; returns rows merged.</summary>
    public async Task<long> WriteTableAsync(SyncContext context, TableName inputs, DateTimeOffset exportedAt, CancellationToken cancellationToken)
    {
        if (_sent.IsEmpty && _deleted.IsEmpty) return 0;
        var write = new StatementOptions { WarehouseId = context.WarehouseId, IsWrite = true };
        await DatasetTables.EnsureAsync(context.Workspace, inputs, DatasetTables.Inputs, "inputs_table", write, cancellationToken);
        var staged = new StagingTable(inputs with { Table = "_dbxsync_staging_" + context.RunId.Replace('-', '_') },
        [
            new("input_id", "STRING"), new("volume_path", "STRING"), new("blob_name", "STRING"), new("size_bytes", "BIGINT"), new("sha256", "STRING"),
            new("content_type", "STRING"), new("source_modified_at", "TIMESTAMP"), new("deleted", "BOOLEAN"),
        ]);
        var exported = AnnotationLine.ToSqlTimestamp(exportedAt);
        var rows = _sent.Select(f => new[]
            {
                f.InputId, f.VolumePath, f.BlobName, f.SizeBytes.ToString(CultureInfo.InvariantCulture), f.Sha256, f.ContentType,
                f.SourceModifiedAt is { } m ? AnnotationLine.ToSqlTimestamp(m) : null, "false",
            })
            .Concat(_deleted.Select(id => new[] { id, null, null, null, null, null, null, "true" }))
            .ToList();
        await context.Workspace.ExecuteAsync(staged.Create(), null, write, cancellationToken);
        try
        {
            await staged.FillAsync(context.Workspace, rows, write, cancellationToken);
            await context.Workspace.ExecuteAsync(Merge(inputs, staged.Table), [new SqlParameter("exported_at", exported, "TIMESTAMP")], write, cancellationToken);
        }
        finally
        {
            try { await context.Workspace.ExecuteAsync(staged.Drop(), null, write, CancellationToken.None); }
            catch (Exception ex) when (ex is Errors.WorkspaceException or HttpRequestException)
            {
                context.Logger.LogWarning("Could not drop staging table {Staging}: {Error}", staged.Table, ex.Message);
            }
        }
        return rows.Count;
    }

    /// <summary>
    /// By input_id: a sent file replaces the row's file facts (and clears a deletion); a deleted file flags the row,
    /// which stays for the annotations that point at it. The annotations' modified_at guard column is left alone.
    /// </summary>
    private static string Merge(TableName inputs, TableName staging) => $"""
        MERGE INTO {inputs.Quoted} AS t
        USING {staging.Quoted} AS s
        ON t.input_id = s.input_id
        WHEN MATCHED AND s.deleted THEN UPDATE SET deleted = true
        WHEN MATCHED THEN UPDATE SET
          volume_path = s.volume_path, blob_name = s.blob_name, size_bytes = s.size_bytes, sha256 = s.sha256,
          content_type = s.content_type, source_modified_at = s.source_modified_at, exported_at = :exported_at, deleted = false
        WHEN NOT MATCHED AND NOT s.deleted THEN INSERT
          (input_id, volume_path, blob_name, size_bytes, sha256, content_type, source_modified_at, exported_at, deleted)
          VALUES (s.input_id, s.volume_path, s.blob_name, s.size_bytes, s.sha256, s.content_type, s.source_modified_at, :exported_at, false)
        """;

    /// <summary>
    /// This run's files in Clarifai's input CSV, each with a read-only URL valid for <paramref name="validFor"/>, so a
    /// platform that imports by URL can take it as it is. Returns the manifest's name in exports/, or null when no file
    /// was sent.
    /// </summary>
    public async Task<(string Name, string SignedWith)?> WriteManifestAsync(IBlobStore blobs, SyncContext context, TimeSpan validFor, DateTimeOffset now, CancellationToken cancellationToken)
    {
        if (_sent.IsEmpty) return null;
        var name = ManifestName(context.Config.Id, now, context.RunId);
        string signedWith = "";
        async IAsyncEnumerable<string?[]> Rows()
        {
            foreach (var file in _sent.OrderBy(f => f.InputId, StringComparer.Ordinal))
            {
                var url = await blobs.GetReadUrlAsync(BlobContainers.Volumes, file.BlobName, validFor, cancellationToken);
                signedWith = url.SignedWith;
                var metadata = JsonSerializer.Serialize(new Dictionary<string, object> { ["volume_path"] = file.VolumePath, ["size_bytes"] = file.SizeBytes });
                yield return [file.InputId, url.Url.AbsoluteUri, "", metadata, ""];
            }
        }
        await CsvBlobWriter.WriteAsync(blobs, BlobContainers.Exports, name, ManifestHeader, Rows(), null,
            new BlobWriteOptions { ContentType = "text/csv" }, null, cancellationToken);
        return (name, signedWith);
    }
}
