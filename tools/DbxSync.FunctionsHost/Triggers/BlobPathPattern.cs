using System.Text.RegularExpressions;

namespace DbxSync.FunctionsHost.Triggers;

/// <summary>A blob trigger path such as "labeled/{name}": its container, the literal prefix to list, and its {tokens}.</summary>
public sealed class BlobPathPattern
{
    private readonly Regex _regex;

    public BlobPathPattern(string path)
    {
        var slash = path.IndexOf('/');
        Container = slash < 0 ? path : path[..slash];
        var blobPattern = slash < 0 ? "" : path[(slash + 1)..];
        var brace = blobPattern.IndexOf('{');
        Prefix = brace < 0 ? blobPattern : blobPattern[..brace];
        var regex = Regex.Replace(Regex.Escape(blobPattern).Replace(@"\{", "{"), "{([^}]+)}", "(?<$1>.+?)");
        _regex = new Regex("^" + (blobPattern.Length == 0 ? ".+" : regex) + "$", RegexOptions.CultureInvariant);
    }

    public string Container { get; }
    public string Prefix { get; }

    /// <summary>The token values for a blob name in the container, or null when the name does not fit the pattern.</summary>
    public IReadOnlyDictionary<string, string>? Match(string blobName)
    {
        var match = _regex.Match(blobName);
        if (!match.Success)
            return null;
        return _regex.GetGroupNames().Where(n => !int.TryParse(n, out _)).ToDictionary(n => n, n => match.Groups[n].Value);
    }
}
