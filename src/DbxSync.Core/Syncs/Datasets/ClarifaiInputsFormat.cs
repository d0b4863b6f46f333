using System.Runtime.CompilerServices;
using System.Text.Json;
using DbxSync.Core.Configs;
using DbxSync.Core.Errors;
using DbxSync.Core.Ports;
using DbxSync.Core.Sql;

namespace DbxSync.Core.Syncs.Datasets;

/// <summary>
/// table with export_format "clarifai_inputs": the rows the export selected (same change detection, same files and
/// parts) are written in Clarifai's input CSV instead of the table's columns: inputid ← the pk; input ← a URL
/// column, or a /Volumes/... path whose file is copied to exports/{config}/files/ and given a read-only expiring URL;
/// concepts ← the label column; metadata ← the chosen columns as a JSON object; geopoints ← "longitude,latitude".
/// No row marker: these labels come back as annotations (annotations_reverse), not through table_reverse.
/// </summary>
public sealed class ClarifaiInputsFormat
{
    public const string Name = "clarifai_inputs";

    private readonly Func<string, string, CancellationToken, Task<Uri>> _copyAndSign;
    private readonly SyncConfig _config;
    private readonly int _pk, _input, _label, _longitude = -1, _latitude = -1;
    private readonly bool _labelIsArray;
    private readonly IReadOnlyList<(string Name, int Index)> _metadata;

    private ClarifaiInputsFormat(SyncConfig config, IReadOnlyList<SqlColumn> columns, Func<string, string, CancellationToken, Task<Uri>> copyAndSign)
    {
        _copyAndSign = copyAndSign;
        _config = config;
        int Find(string name, string field) => columns.FirstOrDefault(c => string.Equals(c.Name, name, StringComparison.OrdinalIgnoreCase))?.Position
            ?? throw new ValidationException($"The table has no column '{name}' ({field}).", field, "column-not-found");
        _pk = Find(config.PkColumn!, "pk_column");
        _input = Find(config.InputColumn!, "input_column");
        _label = Find(config.LabelColumn!, "label_column");
        _labelIsArray = columns[_label].TypeName == "ARRAY";
        if (config.LongitudeColumn is { } lon) _longitude = Find(lon, "longitude_column");
        if (config.LatitudeColumn is { } lat) _latitude = Find(lat, "latitude_column");
        _metadata = (config.MetadataColumns ?? []).Select(m => (columns[Find(m, "metadata_columns")].Name, Find(m, "metadata_columns"))).ToList();
    }

    /// <summary>The format of a table config's export, or null for the table's own CSV.</summary>
    public static ClarifaiInputsFormat? For(SyncConfig config, IBlobStore blobs, IDatabricksWorkspace workspace, IReadOnlyList<SqlColumn> resultColumns)
        => config.ExportFormat == Name ? new ClarifaiInputsFormat(config, resultColumns, Copier(blobs, workspace, config)) : null;

    public IReadOnlyList<string> Header => VolumeInputs.ManifestHeader;

    public static void ValidateShape(SyncConfig c)
    {
        var mapping = c.InputColumn is not null || c.MetadataColumns is not null || c.LongitudeColumn is not null || c.LatitudeColumn is not null;
        if (c.ExportFormat is null)
        {
            if (mapping) throw new ValidationException("input_column, metadata_columns, longitude_column and latitude_column apply only with export_format 'clarifai_inputs'.", "export_format");
            return;
        }
        if (c.ExportFormat != Name) throw new ValidationException($"export_format must be '{Name}' (or left out for the table's own CSV).", "export_format");
        if (c.ConfigType != SyncConfigType.Table) throw new ValidationException("export_format applies only to table configs.", "export_format");
        if (string.IsNullOrEmpty(c.InputColumn)) throw new ValidationException("input_column (a URL or /Volumes/... path column) is required with export_format 'clarifai_inputs'.", "input_column");
        if ((c.LongitudeColumn is null) != (c.LatitudeColumn is null))
            throw new ValidationException("longitude_column and latitude_column go together.", c.LongitudeColumn is null ? "longitude_column" : "latitude_column");
        if (c.SpreadsheetSafe) throw new ValidationException("spreadsheet_safe does not apply to export_format 'clarifai_inputs' (URLs and JSON must reach the platform unchanged).", "spreadsheet_safe");
        foreach (var (field, name) in NamedColumns(c)) SqlIdentifier.Validate(name, field);
    }

    /// <summary>The mapping's columns (field, column) that must exist in the table.</summary>
    public static IEnumerable<(string, string)> NamedColumns(SyncConfig c)
    {
        if (c.ExportFormat != Name) yield break;
        if (c.InputColumn is { } input) yield return ("input_column", input);
        foreach (var m in c.MetadataColumns ?? []) yield return ("metadata_columns", m);
        if (c.LongitudeColumn is { } lon) yield return ("longitude_column", lon);
        if (c.LatitudeColumn is { } lat) yield return ("latitude_column", lat);
    }

    /// <summary>Each exported row as one Clarifai input row.</summary>
    public async IAsyncEnumerable<string?[]> FormatAsync(IAsyncEnumerable<string?[]> rows, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await foreach (var row in rows.WithCancellation(cancellationToken))
        {
            var id = row[_pk] ?? throw new ValidationException("A row has a NULL primary key; Clarifai's inputid must be set.", "pk_column");
            var input = await InputAsync(id, row[_input], cancellationToken);
            var metadata = _metadata.Count == 0 ? "" : JsonSerializer.Serialize(_metadata.ToDictionary(m => m.Name, m => row[m.Index]));
            var geo = _longitude >= 0 && row[_longitude] is { } lon && row[_latitude] is { } lat ? $"{lon},{lat}" : "";
            yield return [id, input, Concepts(row[_label]), metadata, geo];
        }
    }

    /// <summary>Clarifai splits concepts on commas: an ARRAY label (JSON text in results) becomes "a,b".</summary>
    private string Concepts(string? label)
    {
        if (label is null) return "";
        if (!_labelIsArray) return label;
        return string.Join(",", JsonSerializer.Deserialize<List<string?>>(label)?.Where(c => c is not null) ?? []);
    }

    private async Task<string> InputAsync(string id, string? value, CancellationToken cancellationToken)
    {
        if (value is null) throw new ValidationException($"Row '{id}' has no {_config.InputColumn}; Clarifai needs a URL for every input.", "input_column");
        if (Uri.TryCreate(value, UriKind.Absolute, out var url) && url.Scheme is "https" or "http") return url.AbsoluteUri;
        if (!value.StartsWith("/Volumes/", StringComparison.Ordinal))
            throw new ValidationException($"Row '{id}': {_config.InputColumn} '{value}' is neither an http(s) URL nor a /Volumes/... path.", "input_column");
        // Parse refuses '..', empty and encoded segments: the path cannot leave the volumes tree or the blob prefix.
        var path = VolumePath.Parse(value, "input_column");
        if (path.Directories.Count == 0) throw new ValidationException($"Row '{id}': {_config.InputColumn} '{value}' names a volume, not a file in it.", "input_column");
        var blobName = $"{_config.Id}/files/{path.Catalog}/{path.Schema}/{path.Volume}/{string.Join('/', path.Directories)}";
        return (await _copyAndSign(path.Path, blobName, cancellationToken)).AbsoluteUri;
    }

    /// <summary>Streams the volume file to exports/{blobName}, then a read-only URL valid for the config's expiry.</summary>
    private static Func<string, string, CancellationToken, Task<Uri>> Copier(IBlobStore blobs, IDatabricksWorkspace workspace, SyncConfig config)
        => async (volumeFile, blobName, ct) =>
        {
            await using (var content = await workspace.DownloadFileAsync(volumeFile, ct))
                await blobs.UploadAsync(BlobContainers.Exports, blobName, content, new BlobWriteOptions { ContentType = InputContentTypes.For(volumeFile) }, ct);
            return (await blobs.GetReadUrlAsync(BlobContainers.Exports, blobName, TimeSpan.FromHours(config.InputsUrlExpiryHours), ct)).Url;
        };
}
