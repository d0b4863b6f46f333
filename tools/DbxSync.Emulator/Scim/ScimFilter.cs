using System.Text.RegularExpressions;

namespace DbxSync.Emulator.Scim;

/// <summary>
/// The SCIM filter subset Databricks supports: eq, ne, co, sw on one attribute, joined by "and"/"or" without
/// parentheses (SCIM API reference, list "filter": "Supported operators are equals(eq), contains(co), starts with(sw)
/// and not equals(ne) ... simple expressions ... and and or"; RFC 7644 3.4.2.2). "and" binds tighter than "or".
/// </summary>
public sealed partial class ScimFilter
{
    private readonly List<List<(string Attribute, string Op, string Value)>> _alternatives;

    private ScimFilter(List<List<(string, string, string)>> alternatives) => _alternatives = alternatives;

    [GeneratedRegex("""^\s*(?<attr>[A-Za-z.]+)\s+(?<op>eq|ne|co|sw)\s+(?:"(?<value>(?:[^"\\]|\\.)*)"|(?<bare>true|false))\s*""", RegexOptions.IgnoreCase)]
    private static partial Regex Comparison();

    [GeneratedRegex("""^\s*(?<join>and|or)\s+""", RegexOptions.IgnoreCase)]
    private static partial Regex Join();

    /// <summary>Null and an error message when the filter is not in the supported subset.</summary>
    public static ScimFilter? TryParse(string filter, out string? error)
    {
        error = null;
        var alternatives = new List<List<(string, string, string)>> { new() };
        var rest = filter;
        while (true)
        {
            var m = Comparison().Match(rest);
            if (!m.Success)
            {
                error = $"Invalid filter '{filter}'.";
                return null;
            }
            var value = m.Groups["value"].Success ? Regex.Unescape(m.Groups["value"].Value) : m.Groups["bare"].Value;
            alternatives[^1].Add((m.Groups["attr"].Value, m.Groups["op"].Value.ToLowerInvariant(), value));
            rest = rest[m.Length..];
            if (rest.Trim().Length == 0)
                return new ScimFilter(alternatives);
            var j = Join().Match(rest);
            if (!j.Success)
            {
                error = $"Invalid filter '{filter}'.";
                return null;
            }
            if (j.Groups["join"].Value.Equals("or", StringComparison.OrdinalIgnoreCase))
                alternatives.Add(new());
            rest = rest[j.Length..];
        }
    }

    public bool Matches(ScimIdentity identity) => _alternatives.Any(all => all.All(c => Test(identity, c.Attribute, c.Op, c.Value)));

    private static bool Test(ScimIdentity identity, string attribute, string op, string value)
    {
        // Attribute names are case-insensitive in SCIM (RFC 7643 2.1); so are the string comparisons of these ones.
        string? actual = attribute.ToLowerInvariant() switch
        {
            "id" => identity.Id,
            "applicationid" => identity.ApplicationId,
            "displayname" => identity.DisplayName,
            "username" => identity.UserName,
            "active" => identity.Active ? "true" : "false",
            _ => null,
        };
        if (actual is null)
            return op == "ne";
        return op switch
        {
            "eq" => string.Equals(actual, value, StringComparison.OrdinalIgnoreCase),
            "ne" => !string.Equals(actual, value, StringComparison.OrdinalIgnoreCase),
            "co" => actual.Contains(value, StringComparison.OrdinalIgnoreCase),
            "sw" => actual.StartsWith(value, StringComparison.OrdinalIgnoreCase),
            _ => false,
        };
    }
}
