using Azure;

namespace DbxSync.Azure.Storage;

/// <summary>
/// ETags arrive quoted in headers but unquoted in XML listings. Everything in these clients holds the
/// header (quoted) form so that values from either source compare equal and can be sent back as is.
/// </summary>
public static class StorageETag
{
    public static ETag FromHeader(string value) => new(value);

    public static ETag FromListing(string value) => new(ToHeaderValue(value));

    public static string ToHeaderValue(string value) =>
        value == "*" || value.StartsWith('"') || value.StartsWith("W/", StringComparison.Ordinal) ? value : $"\"{value}\"";

    public static string ToHeaderValue(ETag etag) => ToHeaderValue(etag.ToString());

    /// <summary>The bare value, as the Core ports expose it.</summary>
    public static string Unquote(ETag etag) => etag.ToString().Trim('"');
}
