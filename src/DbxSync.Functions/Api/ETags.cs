using DbxSync.Core.Errors;

namespace DbxSync.Functions.Api;

/// <summary>
/// HTTP entity tags over the store's opaque ETags. Core compares If-Match with the stored value verbatim, so
/// instead of guessing how the store quotes its tags, an If-Match is matched against the current resource's
/// header form here and the stored value itself is handed to Core.
/// </summary>
public static class ETags
{
    public static string? ToHeader(string? storeETag)
        => storeETag is null ? null
           : storeETag.StartsWith('"') || storeETag.StartsWith("W/\"", StringComparison.Ordinal) ? storeETag
           : "\"" + storeETag + "\"";

    public static void Set(HttpResponse response, string? storeETag)
    {
        if (ToHeader(storeETag) is { } header) response.Headers.ETag = header;
    }

    /// <summary>Null without If-Match; "*" for any; else the stored ETag when one listed tag matches. ConcurrencyException otherwise.</summary>
    public static async Task<string?> ResolveIfMatchAsync(HttpRequest request, Func<Task<string?>> currentStoreETag)
    {
        var raw = request.Headers.IfMatch.ToString();
        if (string.IsNullOrWhiteSpace(raw)) return null;
        if (raw.Trim() == "*") return "*";
        var current = await currentStoreETag();
        var currentHeader = ToHeader(current);
        var listed = raw.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (currentHeader is not null && listed.Any(tag => tag == currentHeader || tag == current))
            return current;
        throw new ConcurrencyException("The resource was changed by someone else (If-Match does not match its current ETag); read it again.");
    }
}
