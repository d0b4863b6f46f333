using System.Text.RegularExpressions;

namespace DbxSync.Databricks.Http;

/// <summary>
/// Server messages can quote storage URLs with SAS/presigned query strings or echo headers; everything that
/// ends up in an exception message goes through here first.
/// </summary>
internal static partial class SensitiveText
{
    [GeneratedRegex(@"(https?://[^\s""'?#<>]+)\?[^\s""'<>]*", RegexOptions.IgnoreCase)]
    private static partial Regex UrlQuery();

    [GeneratedRegex(@"\b(Bearer|Basic)\s+[A-Za-z0-9\-._~+/=]+", RegexOptions.IgnoreCase)]
    private static partial Regex AuthorizationValue();

    [GeneratedRegex(@"\bdapi[0-9a-f]{20,}\b", RegexOptions.IgnoreCase)]
    private static partial Regex PersonalAccessToken();

    /// <summary>A JWT (an Entra access token pasted where a PAT goes, for one) in an echoed header or message.</summary>
    [GeneratedRegex(@"\beyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*")]
    private static partial Regex JsonWebToken();

    public const int MaxMessageLength = 2000;

    public static string Redact(string? text)
    {
        if (string.IsNullOrEmpty(text)) return "";
        var redacted = UrlQuery().Replace(text, "$1?[redacted]");
        redacted = AuthorizationValue().Replace(redacted, "$1 [redacted]");
        redacted = PersonalAccessToken().Replace(redacted, "[redacted-token]");
        redacted = JsonWebToken().Replace(redacted, "[redacted-token]");
        return redacted.Length > MaxMessageLength ? redacted[..MaxMessageLength] + "…" : redacted;
    }
}
