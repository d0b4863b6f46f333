using System.Text.Json;

namespace DbxSync.Deployment.Tests.Support;

/// <summary>
/// An Event Grid subscription filter as the service applies it (https://learn.microsoft.com/azure/event-grid/event-filtering:
/// includedEventTypes, subjectBeginsWith, subjectEndsWith, case-insensitive unless isSubjectCaseSensitive), judged
/// against a blob trigger's path: which blobs of the trigger it would not deliver.
/// </summary>
public sealed record EventGridFilter(IReadOnlyList<string>? IncludedEventTypes, string? SubjectBeginsWith, string? SubjectEndsWith, bool CaseSensitive, bool HasAdvancedFilters)
{
    public const string BlobCreated = "Microsoft.Storage.BlobCreated";

    public static EventGridFilter Of(JsonElement subscription)
    {
        var filter = subscription.At("properties.filter");
        string? Text(string name) => filter.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
        return new EventGridFilter(
            filter.TryGetProperty("includedEventTypes", out var types) && types.ValueKind == JsonValueKind.Array ? types.EnumerateArray().Select(t => t.GetString()!).ToList() : null,
            Text("subjectBeginsWith"),
            Text("subjectEndsWith"),
            filter.TryGetProperty("isSubjectCaseSensitive", out var sensitive) && sensitive.ValueKind == JsonValueKind.True,
            filter.TryGetProperty("advancedFilters", out var advanced) && advanced.ValueKind == JsonValueKind.Array && advanced.GetArrayLength() > 0);
    }

    /// <summary>
    /// What keeps blobs of a trigger path like <c>labeled/{name}</c> or <c>annotations/{config}/{name}.jsonl</c> from
    /// being delivered, or delivers other containers' blobs to it; empty when the filter fits. A storage event's subject
    /// is <c>/blobServices/default/containers/{container}/blobs/{blob name}</c>.
    /// </summary>
    public IReadOnlyList<string> Gaps(string triggerPath)
    {
        var slash = triggerPath.IndexOf('/');
        var container = slash < 0 ? triggerPath : triggerPath[..slash];
        var blob = slash < 0 ? "" : triggerPath[(slash + 1)..];
        // The literal text every matching blob name starts and ends with (the whole name when it has no {token}).
        var firstToken = blob.IndexOf('{');
        var literalPrefix = firstToken < 0 ? blob : blob[..firstToken];
        var literalSuffix = firstToken < 0 ? blob : blob[(blob.LastIndexOf('}') + 1)..];
        var containerSubject = $"/blobServices/default/containers/{container}/";
        var subjectPrefix = $"{containerSubject}blobs/{literalPrefix}";
        var comparison = CaseSensitive ? StringComparison.Ordinal : StringComparison.OrdinalIgnoreCase;

        var gaps = new List<string>();
        if (IncludedEventTypes is not null && !IncludedEventTypes.Contains(BlobCreated, StringComparer.Ordinal))
            gaps.Add($"includedEventTypes [{string.Join(", ", IncludedEventTypes)}] leaves out {BlobCreated}");
        if (string.IsNullOrEmpty(SubjectBeginsWith) || !SubjectBeginsWith.StartsWith(containerSubject, comparison))
            gaps.Add($"subjectBeginsWith '{SubjectBeginsWith}' does not keep the events to container {container} ({containerSubject})");
        else if (!subjectPrefix.StartsWith(SubjectBeginsWith, comparison))
            gaps.Add($"subjectBeginsWith '{SubjectBeginsWith}' leaves out blobs the trigger takes (their subjects start '{subjectPrefix}')");
        if (!string.IsNullOrEmpty(SubjectEndsWith) && !literalSuffix.EndsWith(SubjectEndsWith, comparison))
            gaps.Add($"subjectEndsWith '{SubjectEndsWith}' leaves out blobs the trigger takes (their names end '{literalSuffix}')");
        if (HasAdvancedFilters)
            gaps.Add("advancedFilters are not judged here: extend EventGridFilter before relying on them");
        return gaps;
    }
}
