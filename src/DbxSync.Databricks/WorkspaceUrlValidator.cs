using System.Globalization;
using System.Net;
using System.Net.Sockets;
using DbxSync.Core.Errors;

namespace DbxSync.Databricks;

/// <summary>
/// Decides whether a workspace URL may receive credentials. Runs before any request: a URL that
/// fails here never sees a byte. Accepts https on a Databricks workspace domain, or a host explicitly
/// listed in AllowedWorkspaceHosts (the only way to reach an IP literal, localhost or plain http).
/// </summary>
public sealed class WorkspaceUrlValidator
{
    /// <summary>Workspace domains of the public, government and China clouds. The host must be a strict subdomain.</summary>
    public static readonly IReadOnlyList<string> DatabricksDomains =
    [
        "cloud.databricks.com",
        "gcp.databricks.com",
        "azuredatabricks.net",
        "databricks.us",
        "azuredatabricks.us",
        "databricks.azure.us",
        "databricks.azure.cn",
        "azuredatabricks.cn",
    ];

    // Cloud metadata services hand out credentials; no configuration may point a token at them.
    private static readonly string[] ForbiddenHosts = ["metadata.google.internal", "metadata", "metadata.azure.internal", "instance-data"];

    private readonly List<AllowedHost> _allowed;

    public WorkspaceUrlValidator(IEnumerable<string>? allowedHosts = null)
    {
        _allowed = (allowedHosts ?? []).Select(AllowedHost.Parse).ToList();
    }

    /// <summary>Returns the normalised base URL ("https://host[:port]/", lower-case host) or throws InvalidWorkspaceUrl.</summary>
    public Uri Validate(string? workspaceUrl)
    {
        if (!TryValidate(workspaceUrl, out var uri, out var reason))
            throw new DatabricksRequestFailedException(WorkspaceErrorKind.InvalidWorkspaceUrl, $"The workspace URL is not acceptable: {reason}");
        return uri!;
    }

    public bool TryValidate(string? workspaceUrl, out Uri? normalized, out string reason)
    {
        normalized = null;
        var raw = (workspaceUrl ?? "").Trim();
        if (raw.Length == 0) { reason = "it is empty."; return false; }
        if (raw.Length > 2048) { reason = "it is too long."; return false; }
        // Unicode hosts are refused outright: IDN look-alikes (Cyrillic 'а' etc.) are the classic confusable trick.
        if (raw.Any(c => c > 0x7e || char.IsControl(c) || char.IsWhiteSpace(c) || c == '\\'))
        { reason = "it contains non-ASCII, whitespace, control or backslash characters."; return false; }
        if (raw.Contains('?') || raw.Contains('#')) { reason = "it must not have a query or fragment."; return false; }

        var schemeEnd = raw.IndexOf("://", StringComparison.Ordinal);
        if (schemeEnd <= 0) { reason = "it must be an absolute https:// URL."; return false; }
        var scheme = raw[..schemeEnd].ToLowerInvariant();
        if (scheme is not ("https" or "http")) { reason = "only https is accepted."; return false; }
        var rest = raw[(schemeEnd + 3)..];
        var slash = rest.IndexOf('/');
        var authority = slash < 0 ? rest : rest[..slash];
        var path = slash < 0 ? "" : rest[slash..];
        if (authority.Contains('@')) { reason = "it must not contain user information."; return false; }
        if (path is not ("" or "/")) { reason = "it must not have a path (give the workspace root, e.g. https://adb-123.4.azuredatabricks.net)."; return false; }

        if (!Uri.TryCreate(raw, UriKind.Absolute, out var uri) || uri.Scheme is not ("https" or "http"))
        { reason = "it is not a valid absolute URL."; return false; }

        var rawHost = ExtractHost(authority);
        var host = uri.Host.ToLowerInvariant();
        var isIp = uri.HostNameType is UriHostNameType.IPv4 or UriHostNameType.IPv6;
        // "https://2130706433/" or "0x7f.1" are parsed as 127.0.0.1; demand the canonical spelling so no encoding slips past a list entry.
        if (!string.Equals(rawHost.Trim('[', ']'), host.Trim('[', ']'), StringComparison.OrdinalIgnoreCase))
        { reason = "the host must be written in its canonical form (no numeric or encoded IP forms)."; return false; }
        if (host.EndsWith('.')) { reason = "the host must not end with a dot."; return false; }
        if (host.Split('.').Any(l => l.StartsWith("xn--", StringComparison.Ordinal)))
        { reason = "internationalised (punycode) host names are not accepted."; return false; }
        if (ForbiddenHosts.Contains(host) || (isIp && IsLinkLocal(uri.Host)))
        { reason = "cloud metadata endpoints are never accepted."; return false; }

        var port = uri.Port;
        var listed = _allowed.FirstOrDefault(a => a.Matches(host, port, uri.Scheme));
        if (listed is null)
        {
            if (uri.Scheme != "https") { reason = "only https is accepted (list the host in " + DatabricksClientOptions.AllowedHostsSetting + " to allow http locally)."; return false; }
            if (isIp) { reason = "IP addresses are not accepted unless listed in " + DatabricksClientOptions.AllowedHostsSetting + "."; return false; }
            if (!uri.IsDefaultPort) { reason = "a non-default port is accepted only for listed hosts."; return false; }
            if (!IsDatabricksWorkspaceHost(host))
            { reason = $"'{host}' is not a Databricks workspace host (expected a subdomain of {string.Join(", ", DatabricksDomains)}, or a host listed in {DatabricksClientOptions.AllowedHostsSetting})."; return false; }
        }

        var builder = new UriBuilder(uri.Scheme, host, uri.IsDefaultPort ? -1 : port, "/");
        normalized = builder.Uri;
        reason = "";
        return true;
    }

    public static bool IsDatabricksWorkspaceHost(string host)
    {
        if (host.Length > 253) return false;
        foreach (var domain in DatabricksDomains)
        {
            if (!host.EndsWith("." + domain, StringComparison.Ordinal)) continue;
            var sub = host[..^(domain.Length + 1)];
            return sub.Split('.').All(IsDnsLabel);
        }
        return false;
    }

    private static bool IsDnsLabel(string label) =>
        label.Length is > 0 and <= 63 && label[0] != '-' && label[^1] != '-' &&
        label.All(c => c is >= 'a' and <= 'z' or >= '0' and <= '9' or '-');

    private static string ExtractHost(string authority)
    {
        if (authority.StartsWith('['))
        {
            var close = authority.IndexOf(']');
            return close < 0 ? authority : authority[..(close + 1)];
        }
        var colon = authority.LastIndexOf(':');
        return colon < 0 ? authority : authority[..colon];
    }

    private static bool IsLinkLocal(string host) =>
        IPAddress.TryParse(host.Trim('[', ']'), out var ip) &&
        (ip.AddressFamily == AddressFamily.InterNetwork ? ip.GetAddressBytes() is [169, 254, ..] : ip.IsIPv6LinkLocal || ip.Equals(IPAddress.Parse("fd00:ec2::254")));

    /// <summary>One entry of the allow list. A listed host always allows https; http only when written as http:// or for loopback.</summary>
    private sealed record AllowedHost(string Host, int? Port, bool AllowHttp)
    {
        public static AllowedHost Parse(string entry)
        {
            var text = entry.Trim();
            bool explicitHttp = false, explicitHttps = false;
            if (text.StartsWith("http://", StringComparison.OrdinalIgnoreCase)) { explicitHttp = true; text = text[7..]; }
            else if (text.StartsWith("https://", StringComparison.OrdinalIgnoreCase)) { explicitHttps = true; text = text[8..]; }
            text = text.TrimEnd('/');
            string host = text;
            int? port = null;
            var colon = text.LastIndexOf(':');
            if (colon > 0 && text.IndexOf(']') < colon && int.TryParse(text[(colon + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out var p))
            {
                host = text[..colon];
                port = p;
            }
            host = host.Trim('[', ']').ToLowerInvariant();
            var loopback = host == "localhost" || (IPAddress.TryParse(host, out var ip) && IPAddress.IsLoopback(ip));
            var allowHttp = explicitHttp || (!explicitHttps && loopback);
            return new AllowedHost(host, port, allowHttp);
        }

        public bool Matches(string host, int port, string scheme)
        {
            if (!string.Equals(Host, host.Trim('[', ']'), StringComparison.OrdinalIgnoreCase)) return false;
            if (scheme == "http" && !AllowHttp) return false;
            var expectedPort = Port ?? (scheme == "https" ? 443 : 80);
            return expectedPort == port;
        }
    }
}
