using DbxSync.Core.Errors;

namespace DbxSync.Core.State;

/// <summary>Optimistic concurrency for edits: an If-Match that is not the stored ETag (or "*") loses.</summary>
public static class ETagCheck
{
    public static void Require(string? current, string? ifMatch)
    {
        if (ifMatch is null || ifMatch == "*") return;
        if (!string.Equals(ifMatch, current, StringComparison.Ordinal))
            throw new ConcurrencyException("The resource was changed by someone else (If-Match does not match its current ETag); read it again.");
    }
}
