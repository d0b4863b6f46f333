using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace DbxSync.Core.Syncs.Annotations;

/// <summary>One valid line of an annotation file (README "Datasets": the JSON Lines schema).</summary>
public sealed record AnnotationRecord(
    long Line,
    string AnnotationId,
    string InputId,
    string? UserId,
    /// <summary>Concept ids as a JSON array (the staged form from_json reads into ARRAY&lt;STRING&gt;); null on a tombstone without them.</summary>
    string? ConceptsJson,
    string? RegionJson,
    string? MetadataJson,
    DateTimeOffset? CreatedAt,
    DateTimeOffset ModifiedAt,
    bool Deleted);

/// <summary>
/// Parses and checks one JSON Lines record. Every problem is reported with the field it is about; a line with any
/// problem yields no record. Unknown fields are ignored (platforms add their own); known ones must have their type.
/// </summary>
public static partial class AnnotationLine
{
    public const int MaxIdLength = 1024;
    public const int MaxConceptLength = 256;

    // ISO 8601 with a date, a time and an offset (Z or +hh:mm): a time without one would mean a different instant on
    // every machine. At most 6 fractional digits, Databricks TIMESTAMP's precision (microseconds): two edits that
    // differ below it would otherwise compare equal after storing and the later one would be dropped as a re-delivery.
    [GeneratedRegex(@"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?(Z|[+-]\d{2}:\d{2})$", RegexOptions.CultureInvariant)]
    private static partial Regex Iso8601();

    public static AnnotationRecord? Parse(string text, long line, Action<long, string?, string> error)
    {
        JsonDocument document;
        try { document = JsonDocument.Parse(text); }
        catch (JsonException ex) { error(line, null, $"not valid JSON: {ex.Message}"); return null; }
        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object) { error(line, null, "expected one JSON object per line"); return null; }
            var ok = true;
            void Fail(string field, string message) { ok = false; error(line, field, message); }

            var annotationId = Id(root, "annotation_id", required: true, Fail);
            var inputId = Id(root, "input_id", required: true, Fail);
            var userId = Id(root, "user_id", required: false, Fail);
            var deleted = false;
            if (Present(root, "deleted", out var d))
            {
                if (d.ValueKind is JsonValueKind.True or JsonValueKind.False) deleted = d.GetBoolean();
                else Fail("deleted", "must be true or false");
            }
            var modifiedAt = Time(root, "modified_at", required: true, Fail);
            var createdAt = Time(root, "created_at", required: false, Fail);
            // A tombstone names what it deletes and when; its concepts are optional.
            var concepts = Concepts(root, required: !deleted, Fail);
            var region = Region(root, Fail);
            string? metadata = null;
            if (Present(root, "metadata", out var m))
            {
                if (m.ValueKind == JsonValueKind.Object) metadata = JsonSerializer.Serialize(m);
                else Fail("metadata", "must be a JSON object");
            }
            if (!ok) return null;
            return new AnnotationRecord(line, annotationId!, inputId!, userId, concepts, region, metadata, createdAt, modifiedAt!.Value, deleted);
        }
    }

    /// <summary>The form a TIMESTAMP statement parameter takes: UTC, microseconds.</summary>
    public static string ToSqlTimestamp(DateTimeOffset value) => value.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", CultureInfo.InvariantCulture);

    private static bool Present(JsonElement root, string name, out JsonElement value)
        => root.TryGetProperty(name, out value) && value.ValueKind != JsonValueKind.Null;

    private static string? Id(JsonElement root, string name, bool required, Action<string, string> fail)
    {
        if (!Present(root, name, out var value))
        {
            if (required) fail(name, "is required");
            return null;
        }
        if (value.ValueKind != JsonValueKind.String) { fail(name, "must be a string"); return null; }
        var text = value.GetString()!;
        if (text.Trim().Length == 0) { fail(name, "is empty"); return null; }
        if (text.Length > MaxIdLength) { fail(name, $"is longer than {MaxIdLength} characters"); return null; }
        return text;
    }

    private static DateTimeOffset? Time(JsonElement root, string name, bool required, Action<string, string> fail)
    {
        if (!Present(root, name, out var value))
        {
            if (required) fail(name, "is required (ISO 8601 with an offset, e.g. 2026-03-01T12:00:05Z)");
            return null;
        }
        var text = value.ValueKind == JsonValueKind.String ? value.GetString()! : "";
        if (!Iso8601().IsMatch(text) || !DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.None, out var parsed))
        {
            fail(name, $"'{Shorten(value.ToString())}' is not an ISO 8601 time with an offset and at most microseconds (e.g. 2026-03-01T12:00:05.25Z)");
            return null;
        }
        return parsed;
    }

    private static string? Concepts(JsonElement root, bool required, Action<string, string> fail)
    {
        if (!Present(root, "concepts", out var value))
        {
            if (required) fail("concepts", "is required: a list of concept ids (may be empty)");
            return null;
        }
        if (value.ValueKind != JsonValueKind.Array) { fail("concepts", "must be a list of concept ids"); return null; }
        var concepts = new List<string>();
        foreach (var item in value.EnumerateArray())
        {
            if (item.ValueKind != JsonValueKind.String || item.GetString()!.Trim().Length == 0) { fail("concepts", "every concept id must be a non-empty string"); return null; }
            if (item.GetString()!.Length > MaxConceptLength) { fail("concepts", $"a concept id is longer than {MaxConceptLength} characters"); return null; }
            concepts.Add(item.GetString()!);
        }
        return JsonSerializer.Serialize(concepts);
    }

    /// <summary>A bounding box or a polygon in relative coordinates (0..1, as Clarifai's region_info), or absent.</summary>
    private static string? Region(JsonElement root, Action<string, string> fail)
    {
        if (!Present(root, "region", out var region)) return null;
        if (region.ValueKind != JsonValueKind.Object) { fail("region", "must be an object with bounding_box or polygon"); return null; }
        var hasBox = Present(region, "bounding_box", out var box);
        var hasPolygon = Present(region, "polygon", out var polygon);
        if (hasBox == hasPolygon) { fail("region", "must have exactly one of bounding_box and polygon"); return null; }
        if (hasBox)
        {
            if (box.ValueKind != JsonValueKind.Object) { fail("region", "bounding_box must be an object"); return null; }
            double? Coordinate(string name)
            {
                if (box.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Number && v.GetDouble() is >= 0 and <= 1) return v.GetDouble();
                fail("region", $"bounding_box.{name} must be a number from 0 to 1");
                return null;
            }
            var (top, left, bottom, right) = (Coordinate("top_row"), Coordinate("left_col"), Coordinate("bottom_row"), Coordinate("right_col"));
            if (top is null || left is null || bottom is null || right is null) return null;
            if (top > bottom || left > right) { fail("region", "bounding_box must have top_row <= bottom_row and left_col <= right_col"); return null; }
        }
        else
        {
            if (polygon.ValueKind != JsonValueKind.Object || !polygon.TryGetProperty("points", out var points) || points.ValueKind != JsonValueKind.Array)
            { fail("region", "polygon must be an object with a points list"); return null; }
            var count = 0;
            foreach (var point in points.EnumerateArray())
            {
                count++;
                bool Valid(string name) => point.ValueKind == JsonValueKind.Object && point.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Number && v.GetDouble() is >= 0 and <= 1;
                if (!Valid("row") || !Valid("col")) { fail("region", $"polygon point {count} must be {{\"row\": 0..1, \"col\": 0..1}}"); return null; }
            }
            if (count < 3) { fail("region", "a polygon needs at least 3 points"); return null; }
        }
        return JsonSerializer.Serialize(region);
    }

    private static string Shorten(string text) => text.Length <= 60 ? text : text[..60] + "...";
}
